"""A real OpenSSH sshd on loopback for integration tests (Python 3 stdlib).

    sshd = Sshd()                    # keys and config in a fresh temp dir
    sshd.start()                     # raises unittest.SkipTest if sshd can't
                                     # (having removed its temp dir)
    ...  sshd.port, sshd.user, sshd.user_key("ecdsa"),
         sshd.known_hosts("hashed", types=("ed25519",))
    sshd.stop(); sshd.cleanup()      # or: with Sshd() as sshd: ...

Host keys: ed25519, ecdsa, rsa. User keys: "ed25519", "ecdsa", "rsa",
"passphrase" (ed25519, protected by sshd.passphrase, also in
sshd.passphrase_file) and "stranger" (not in authorized_keys). sshd runs in
the foreground (-D -e) as the current user, on 127.0.0.1 plus any extra
loopback addresses, on a port picked at run time; its log is sshd.log_path.
Readiness is the "SSH-2.0-" banner on every address; stop() signals only the
pid it started. legacy_rsa=True lets RSA keys sign with SHA-1 (ssh-rsa),
which libssh2 < 1.11 needs for RSA host and user keys against OpenSSH 8.8+.
"""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from harness import TempServer, free_port

SSHD = "/usr/sbin/sshd"
HOST_KEY_TYPES = ("ed25519", "ecdsa", "rsa")
USER_KEYS = ("ed25519", "ecdsa", "rsa", "passphrase", "stranger")
KNOWN_HOSTS_FORMS = ("plain", "bracket", "hashed", "hashed-plain")
START_ATTEMPTS = 3          # a free port can be taken before sshd binds it
READY_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 5.0       # for sessions still closing when stop() runs


def keygen(path, ktype, passphrase="", comment="alexis-test"):
    """Generate a key pair (path, path.pub); returns the public key line."""
    args = ["ssh-keygen", "-q", "-t", ktype, "-N", passphrase, "-C",
            comment, "-f", path]
    if ktype == "rsa":
        args[4:4] = ["-b", "2048"]   # the default 3072 is slow to generate
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(path + ".pub") as f:
        return f.read().strip()


def openssh_version():
    """(major, minor) of the installed OpenSSH, (0, 0) if unknown."""
    try:
        out = subprocess.run(["ssh", "-V"], capture_output=True, text=True,
                             timeout=10).stderr
    except (OSError, subprocess.TimeoutExpired):
        return (0, 0)
    m = re.search(r"OpenSSH_(\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


class Sshd(TempServer):
    def __init__(self, addresses=("127.0.0.1",), legacy_rsa=False,
                 extra_config=()):
        if not os.path.exists(SSHD) or shutil.which("ssh-keygen") is None:
            raise unittest.SkipTest("OpenSSH server not installed (%s)"
                                    % SSHD)
        self.dir = tempfile.mkdtemp(prefix="alexis-sshd-")
        self.addresses = tuple(addresses)
        self.legacy_rsa = legacy_rsa
        self.extra_config = tuple(extra_config)
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.port = None
        self.proc = None
        self.log_path = self.path("sshd.log")
        self.config_path = self.path("sshd_config")
        self.passphrase = "correct horse battery staple"
        self.passphrase_file = self.path("passphrase")
        with open(self.passphrase_file, "w") as f:
            f.write(self.passphrase + "\n")
        self.host_pub = {}      # type -> "ssh-ed25519 AAAA..."
        try:
            self._make_keys()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def path(self, *rel):
        return os.path.join(self.dir, *rel)

    def _make_keys(self):
        for t in HOST_KEY_TYPES:
            line = keygen(self.path("host_%s" % t), t)
            self.host_pub[t] = " ".join(line.split()[:2])
        authorized = []
        for name in USER_KEYS:
            ktype = "ed25519" if name in ("passphrase", "stranger") else name
            pw = self.passphrase if name == "passphrase" else ""
            line = keygen(self.user_key(name), ktype, pw)
            if name != "stranger":
                authorized.append(line)
        with open(self.path("authorized_keys"), "w") as f:
            f.write("\n".join(authorized) + "\n")

    def user_key(self, name):
        """Path of a user private key (see USER_KEYS)."""
        return self.path("id_%s" % name)

    def _config(self):
        lines = ["Port %d" % self.port]
        lines += ["ListenAddress %s" % a for a in self.addresses]
        lines += ["HostKey %s" % self.path("host_%s" % t)
                  for t in HOST_KEY_TYPES]
        lines += [
            "AuthorizedKeysFile %s" % self.path("authorized_keys"),
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PidFile %s" % self.path("sshd.pid"),
            "PermitRootLogin prohibit-password",
            "LogLevel VERBOSE",
            "UseDNS no",
            "PrintMotd no",
            # Tests and benchmarks open many connections at once.
            "MaxStartups 200",
            "MaxSessions 200",
        ]
        if openssh_version() >= (9, 8):
            # Refused-auth tests must not get 127.0.0.1 penalised.
            lines.append("PerSourcePenalties no")
        if self.legacy_rsa:
            lines += ["HostKeyAlgorithms +ssh-rsa",
                      "PubkeyAcceptedAlgorithms +ssh-rsa"]
        lines += list(self.extra_config)
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def _banner_ok(self, addr, deadline):
        try:
            with socket.create_connection((addr, self.port),
                                          timeout=0.5) as s:
                s.settimeout(max(0.05, deadline - time.monotonic()))
                data = b""
                while b"\n" not in data and len(data) < 256:
                    chunk = s.recv(256)
                    if not chunk:
                        break
                    data += chunk
                return data.startswith(b"SSH-2.0-")
        except OSError:
            return False

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        pending = list(self.addresses)
        while pending:
            if self.proc.poll() is not None:
                return False
            if "Address already in use" in self.log()[self._log_mark:]:
                # The port was free on the first address only: sshd goes on
                # listening on the others, so stop it and try another port.
                self.proc.terminate()
                return False
            if time.monotonic() > deadline:
                raise AssertionError("sshd not ready after %.0f s:\n%s" % (
                    READY_TIMEOUT_S, self.log()))
            if self._banner_ok(pending[0], deadline):
                pending.pop(0)
            else:
                time.sleep(0.01)    # poll interval, bounded by deadline
        return True

    def _prepare_privsep(self):
        # sshd running as root insists on its privilege separation dir.
        if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)

    def start(self):
        """Start sshd and wait for its banner. On failure (SkipTest or
        AssertionError) everything is cleaned up, temp dir included, so the
        caller has nothing to undo."""
        try:
            return self._start()
        except BaseException:
            self.cleanup()
            raise

    def _start(self):
        self._prepare_privsep()
        for _ in range(START_ATTEMPTS):
            self.port = free_port(self.addresses[0])
            self._config()
            self._log_mark = len(self.log())    # this attempt's lines only
            with open(self.log_path, "ab") as logf:
                self.proc = subprocess.Popen(
                    [SSHD, "-D", "-e", "-f", self.config_path],
                    stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
            if self._wait_ready():
                return self
            self.proc.wait(timeout=STOP_TIMEOUT_S)
            if "Address already in use" not in self.log():
                break
        msg = "sshd could not start (uid %d):\n%s" % (os.geteuid(),
                                                       self.log())
        self.proc = None
        if os.geteuid() != 0:
            raise unittest.SkipTest("not root and " + msg)
        raise AssertionError(msg)

    def _children(self):
        """Pids whose parent is our sshd (per-connection processes); Linux
        /proc, empty elsewhere."""
        out = []
        try:
            entries = [d for d in os.listdir("/proc") if d.isdigit()]
        except OSError:
            return out
        for d in entries:
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may hold spaces.
            fields = stat.rsplit(")", 1)[-1].split()
            if len(fields) > 1 and int(fields[1]) == self.proc.pid:
                out.append(int(d))
        return out

    def _drain(self, deadline):
        while self._children() and time.monotonic() < deadline:
            time.sleep(0.01)    # poll interval, bounded by deadline

    def stop(self):
        """Stop sshd. Sessions still closing get DRAIN_TIMEOUT_S, then are
        signalled by pid, so none outlives its parent and is orphaned."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self._drain(time.monotonic() + DRAIN_TIMEOUT_S)
            for pid in self._children():
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            self._drain(time.monotonic() + DRAIN_TIMEOUT_S)
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        rc, self.proc = self.proc.returncode, None
        return rc

    def known_hosts_line(self, form="bracket", ktype="ed25519", key=None,
                         host="127.0.0.1"):
        """One known_hosts line (unhashed) for host: "plain" names the host
        alone, "bracket" as [host]:port. key defaults to our host key."""
        name = host if form in ("plain", "hashed-plain") else \
            "[%s]:%d" % (host, self.port)
        return "%s %s" % (name, key or self.host_pub[ktype])

    def known_hosts(self, form="bracket", types=("ed25519",), hosts=None,
                    name=None, lines=()):
        """Write a known_hosts file and return its path. form is one of
        KNOWN_HOSTS_FORMS ("hashed" = the bracket form run through
        ssh-keygen -H, "hashed-plain" = the plain one); extra lines are
        appended verbatim (before hashing)."""
        assert form in KNOWN_HOSTS_FORMS, form
        hosts = hosts or self.addresses[:1]
        out = [self.known_hosts_line(form, t, host=h)
               for h in hosts for t in types] + list(lines)
        path = self.path(name or "known_hosts_%s_%s" % (form, "_".join(
            types)))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        if form.startswith("hashed"):
            subprocess.run(["ssh-keygen", "-H", "-f", path], check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            os.unlink(path + ".old")
        return path

    def foreign_host_key(self, ktype="ed25519"):
        """A host public key ("type base64") that this sshd does not have."""
        p = self.path("foreign_%s_%d" % (ktype, len(os.listdir(self.dir))))
        return " ".join(keygen(p, ktype).split()[:2])
