"""A real PostgreSQL server for integration tests (Python 3 stdlib only).

    pg = Postgres()              # raises unittest.SkipTest without postgres
    pg.start()                   # initdb in a fresh temp dir, then serve
    uri = pg.uri(pg.create_db("t1"))   # postgresql://alexis@127.0.0.1:P/t1
    pg.password_file             # the role's password, mode 0600
    pg.sql("SELECT 1", db="t1")  # rows as lists of strings (psql -At)
    pg.restart(); pg.stop(); pg.cleanup()

The cluster lives in a temporary directory owned by an unprivileged
account (`postgres` when the package created it, else `nobody`; the
current user when not root): initdb and postgres run as that account.
postgres listens on 127.0.0.1 only, on a port picked at run time, with its
unix socket in the temp dir; TCP logins need the password (scram-sha-256).
Readiness is pg_isready answering, never a sleep; stop() signals only the
pid it started (SIGINT: fast shutdown), kill() sends SIGKILL.
"""
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import TempServer, free_port

ROLE = "alexis"
PASSWORD = "pg-test-password-5e1f"
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0
START_ATTEMPTS = 3


def bin_dir():
    """The directory of the newest installed PostgreSQL's server binaries,
    or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(p.split("/")[4])
                   if p.split("/")[4].isdigit() else 0)
    if found:
        return os.path.dirname(found[-1])
    p = shutil.which("postgres")
    return os.path.dirname(p) if p else None


def account():
    """(uid, gid) of the account the server runs as."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return pw.pw_uid, pw.pw_gid
        except KeyError:
            continue
    raise unittest.SkipTest("no unprivileged account to run postgres as")


class Postgres(TempServer):
    def __init__(self):
        self.bin = bin_dir()
        if self.bin is None:
            raise unittest.SkipTest("PostgreSQL server not installed "
                                    "(scripts/deps.sh installs it)")
        self.uid, self.gid = account()
        self.dir = tempfile.mkdtemp(prefix="alexis-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        self.log_path = os.path.join(self.dir, "postgres.log")
        self.password_file = os.path.join(self.dir, "password")
        with open(self.password_file, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(self.password_file, 0o600)
        self.port = None
        self.proc = None
        self._initdb()

    def _as_user(self, args, **kw):
        if os.geteuid() == 0:
            kw.update(user=self.uid, group=self.gid, extra_groups=[])
        return subprocess.run(args, check=True, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120, **kw)

    def _initdb(self):
        os.makedirs(self.sock)
        pwfile = os.path.join(self.dir, "initdb.pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        for p in (self.sock, pwfile, self.dir):
            os.chown(p, self.uid, self.gid)
        try:
            self._as_user([os.path.join(self.bin, "initdb"), "-D", self.data,
                           "-U", ROLE, "--pwfile", pwfile, "-E", "UTF8",
                           "--locale", "C", "--auth-local", "trust",
                           "--auth-host", "scram-sha-256", "--no-sync"])
        except subprocess.CalledProcessError as e:
            raise AssertionError("initdb failed:\n" + e.stdout.decode())
        finally:
            os.unlink(pwfile)

    def _spawn(self, port):
        logf = open(self.log_path, "ab")
        kw = {}
        if os.geteuid() == 0:
            kw = dict(user=self.uid, group=self.gid, extra_groups=[])
        try:
            return subprocess.Popen(
                [os.path.join(self.bin, "postgres"), "-D", self.data,
                 "-p", str(port), "-k", self.sock,
                 "-c", "listen_addresses=127.0.0.1",
                 "-c", "max_connections=60", "-c", "shared_buffers=16MB"],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, **kw)
        finally:
            logf.close()

    def _ready(self, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            r = subprocess.run([os.path.join(self.bin, "pg_isready"), "-q",
                                "-h", "127.0.0.1", "-p", str(self.port),
                                "-t", "1"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                return True
            time.sleep(0.05)    # pg_isready is the probe; pace it
        return False

    def start(self, port=None):
        """Serve; port None picks a free one (kept by restart())."""
        for _ in range(START_ATTEMPTS if port is None else 1):
            self.port = port or free_port()
            self.proc = self._spawn(self.port)
            if self._ready(time.monotonic() + READY_TIMEOUT_S):
                return self
            self._halt(signal.SIGKILL)
        raise AssertionError("postgres did not start:\n" + self.log())

    def _halt(self, sig):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self.proc = None

    def stop(self):
        """Fast shutdown (SIGINT): sessions are cut, nothing is lost."""
        self._halt(signal.SIGINT)

    def kill(self):
        self._halt(signal.SIGKILL)

    def restart(self):
        """Stop, then serve again on the same port."""
        self.stop()
        self.start(self.port)

    def uri(self, db="postgres"):
        """The libpq URI of db, without the password (it is in
        password_file)."""
        return "postgresql://%s@127.0.0.1:%d/%s" % (ROLE, self.port, db)

    def sql(self, query, db="postgres"):
        """Run query with psql over the unix socket; rows of strings."""
        out = self._as_user([os.path.join(self.bin, "psql"), "-X", "-q",
                             "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                             "-h", self.sock, "-p", str(self.port),
                             "-U", ROLE, "-d", db, "-c", query],
                            cwd=self.dir).stdout
        return [l.split("\t") for l in out.decode().splitlines()]

    def create_db(self, name):
        self.sql('CREATE DATABASE "%s"' % name)
        return name


def test_store():
    """(uri, password_file) of a fresh database on the server named by
    ALEXIS_TEST_PG_URI / ALEXIS_TEST_PG_PASSWORD_FILE (set by test_pg.py
    when it runs another test module against PostgreSQL), or None."""
    uri = os.environ.get("ALEXIS_TEST_PG_URI")
    pwf = os.environ.get("ALEXIS_TEST_PG_PASSWORD_FILE")
    if not uri or not pwf:
        return None
    name = "t_" + os.urandom(6).hex()
    with open(pwf) as f:
        env = dict(os.environ, PGPASSWORD=f.read().strip())
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri,
                    "-c", 'CREATE DATABASE "%s"' % name], check=True,
                   env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, timeout=60)
    return uri.rsplit("/", 1)[0] + "/" + name, pwf


__all__ = ["Postgres", "ROLE", "PASSWORD", "test_store"]
