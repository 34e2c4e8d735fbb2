"""Shared helpers for Alexis integration tests (Python 3 stdlib only).

- Proc: a daemon started by the test, its stderr (key=value log) captured to
  a file; readiness is a log line (e.g. event=listening, which carries the
  port the daemon bound when the config asked for port 0); stop() signals
  that pid only, then waits.
- Sink: a loopback HTTP server recording every request, standing in for the
  action handler and the OpsGenie/Dynatrace APIs; answers are programmable
  per (method, path prefix); wait_for() blocks on a condition, not a sleep.
  classifier_sink(): a Sink answering as the classifier.
- parse_logfmt(): one key=value log line; log_time(): its ts in epoch
  seconds.
- http(): one request with urllib, returning (status, body text, headers).
- start_daemon(): a Proc whose config asks for port 0, and its URL once the
  `listening` line is logged; start_sink(): the C alexis-sink (benchmarks).
- SimAdmin: alexis-sim's /_admin API; GENIE_KEY / DT_TOKEN / JSM_*: sample
  credentials.
- Daemons: several Procs by name (logs under one directory), stopped by
  pid, the last started first.
- TempServer: the common part of the servers a test runs in a temp dir of
  their own (sshd.Sshd, pg.Postgres): cleanup, with-statement, log().
- start_sim(): alexis-sim on a loopback port chosen at run time.
- gen_tokens(), gen_certs(), auth_yaml(), loopback_listener(),
  action_handler_yaml(), classifier_yaml(), poller_yaml(), og_feed(),
  dt_feed(): a whole pipeline's config on loopback, ports chosen at run
  time, tokens and certificates as scripts/gen-tokens.sh and gen-certs.sh
  write them; Pipeline: that pipeline started against alexis-sim (the
  demo, benchmarks, tests), OgPipeline: one started at once with one
  OpsGenie feed.
- at_once(): n calls from n threads at once (races).
- now_ms(): the wall clock in ms; file_lines(): a file's lines, [] if
  absent (trace files); fixture_envelope(): a copy of an envelope of
  tests/fixtures/envelopes/.
- wait_until(): poll a condition with a deadline; free_port(): a port no
  one listens on; run_check(): a daemon's --check of a config.
- WorkDir / TempDir: files under a directory (TempDir: a fresh temp dir),
  including the original-format token files (write_tokens).
"""
import calendar
import functools
import http.server
import json
import os
import pwd
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BIN = os.environ.get("ALEXIS_BIN", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "bin"))
SRC = os.environ.get("ALEXIS_SRC", os.path.join(
    os.path.dirname(__file__), "..", ".."))

# Sample credentials in the vendors' formats, accepted by alexis-sim.
GENIE_KEY = "11111111-2222-4333-8444-555555555555"
DT_TOKEN = ("dt0c01.SAMPLEPUBLICPART0000000.SAMPLESECRETPART"
            "0000000000000000000000000000000000000000000000000")
# alexis-sim's default JSM site and user (an API token with the read and
# write scopes, no delete scope).
JSM_CLOUD_ID = "5e1f0c2a-9b7d-4c3e-8a6f-0d2b4c6e8a10"
JSM_EMAIL = "alexis@example.com"
JSM_TOKEN = "ATATT3xFfGF0SAMPLEJSMTOKEN000000000000000000000000"


def parse_logfmt(line):
    """Parse one key=value line (the project's escaping) into a dict."""
    out, i, n = {}, 0, len(line)
    while i < n:
        while i < n and line[i] == " ":
            i += 1
        j = line.find("=", i)
        if j < 0:
            break
        key = line[i:j]
        i = j + 1
        if i < n and line[i] == '"':
            i += 1
            val = []
            while i < n and line[i] != '"':
                c = line[i]
                if c == "\\" and i + 1 < n:
                    i += 1
                    e = line[i]
                    if e == "n":
                        val.append("\n")
                    elif e == "r":
                        val.append("\r")
                    elif e == "t":
                        val.append("\t")
                    elif e == "u":
                        val.append(chr(int(line[i + 1:i + 5], 16)))
                        i += 4
                    else:
                        val.append(e)
                else:
                    val.append(c)
                i += 1
            i += 1
            out[key] = "".join(val)
        else:
            j = line.find(" ", i)
            if j < 0:
                j = n
            out[key] = line[i:j]
            i = j
    return out


def log_time(ts):
    """Epoch seconds (a float) of a log line's ts, e.g.
    2026-12-04T23:22:50.540Z (UTC)."""
    base, _, frac = ts.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + (
        float("0." + frac) if frac else 0.0)


def _log_lines(data):
    """Lines of log bytes, split as a text-mode file would (universal
    newlines), without their line ends."""
    text = data.decode("utf-8", "replace")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


class Proc:
    """A daemon started by a test, stopped by its pid."""

    def __init__(self, args, log_path, env=None, cwd=None):
        self.args = args
        self.log_path = log_path
        self.logf = open(log_path, "ab")
        self.p = subprocess.Popen(args, stdout=self.logf, stderr=self.logf,
                                  env=env, cwd=cwd)
        self._offset = 0    # bytes of the log parsed into self._parsed
        self._parsed = []   # parse_logfmt() of every complete line so far

    @property
    def pid(self):
        return self.p.pid

    def lines(self):
        with open(self.log_path, "r", encoding="utf-8",
                  errors="replace") as f:
            return [l.rstrip("\n") for l in f]

    def _all_events(self):
        """Every log line parsed. Complete lines are parsed once and kept;
        a last line still being written is parsed, not kept."""
        with open(self.log_path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self._parsed += [parse_logfmt(l) for l in _log_lines(data[:end])]
        self._offset += end
        return self._parsed + [parse_logfmt(l) for l in
                               _log_lines(data[end:])]

    def events(self, event=None, **match):
        """Parsed log lines with event (any if None) and matching keys.
        The dicts are shared between calls: read them, don't modify."""
        return [kv for kv in self._all_events()
                if (event is None or kv.get("event") == event)
                and all(kv.get(k) == v for k, v in match.items())]

    def wait_event(self, event, timeout=10.0, **match):
        """Wait until a log line with event (and matching keys) appears."""
        deadline = time.monotonic() + timeout
        while True:
            ev = self.events(event, **match)
            if ev:
                return ev[0]
            if self.p.poll() is not None:
                raise AssertionError("%s exited with %s while waiting for %s:"
                                     "\n%s" % (self.args[0], self.p.returncode,
                                               event, "\n".join(self.lines())))
            if time.monotonic() > deadline:
                raise AssertionError("timeout waiting for event=%s %r:\n%s" %
                                     (event, match, "\n".join(self.lines())))
            time.sleep(0.02)

    def wait_exit(self, timeout=10.0):
        return self.p.wait(timeout=timeout)

    def stop(self):
        if self.p.poll() is None:
            os.kill(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.p.pid, signal.SIGKILL)
                self.p.wait(timeout=10)
        self.logf.close()
        return self.p.returncode


def start_daemon(args, log_path, env=None, timeout=10.0):
    """Start a daemon whose listener asks for port 0; return (Proc, its
    http://127.0.0.1:<port> URL, https:// when it serves TLS) once it logs
    event=listening. If it never does, it is stopped and the wait's
    AssertionError raised."""
    proc = Proc(args, log_path, env=env)
    try:
        ev = proc.wait_event("listening", timeout=timeout)
    except BaseException:
        proc.stop()
        raise
    return proc, "%s://127.0.0.1:%s" % (
        "https" if ev.get("tls") == "true" else "http", ev["port"])


class Daemons:
    """Daemons a test or benchmark starts, by name, each logging to
    <log_dir>/<name>.log; stop() stops them by pid, the last started
    first. bin_dir: where the programs are (default BIN)."""

    def __init__(self, log_dir, bin_dir=None):
        self.log_dir = log_dir
        self.bin_dir = bin_dir or BIN
        self.procs = []     # (Proc, name), in start order

    def start(self, name, args, listens=True, env=None):
        """Start args (args[0] a program in bin_dir, or a path). A
        listening daemon (config port 0): (Proc, its URL) once it logs
        listening; else (Proc, None) at once."""
        if os.sep not in args[0]:
            args = [os.path.join(self.bin_dir, args[0])] + list(args[1:])
        log = os.path.join(self.log_dir, name + ".log")
        if listens:
            p, url = start_daemon(args, log, env=env)
        else:
            p, url = Proc(args, log, env=env), None
        self.procs.append((p, name))
        return p, url

    def proc(self, name):
        return [p for p, n in self.procs if n == name][0]

    def stop(self):
        for p, _ in reversed(self.procs):
            p.stop()
        self.procs = []


class TempServer:
    """What the servers a test runs in a temporary directory of their own
    (self.dir, log file self.log_path) share; a subclass has start() and
    stop()."""

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def free_port(addr="127.0.0.1"):
    """A TCP port of addr that no one listened on a moment ago."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def run_check(program, conf, timeout=30):
    """program (in BIN) --check --config conf: (exit status, what it
    wrote to stdout and stderr, as one text)."""
    p = subprocess.run([bin_path(program), "--check", "--config", conf],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


# ---- a pipeline on loopback, as the deployment lays it out ----
# Config sections for a directory holding tokens/ (gen_tokens()), rules/
# and secrets/ (certs/ with TLS, gen_certs()); every listener asks for
# port 0.

def gen_tokens(path):
    """Every daemon's token files (<daemon>.token.json,
    clients.<daemon>.json), written into the directory path by
    scripts/gen-tokens.sh."""
    subprocess.run(["sh", os.path.join(SRC, "scripts", "gen-tokens.sh"),
                    path], check=True, stdout=subprocess.DEVNULL)


def gen_certs(path, *names):
    """A CA (ca.crt) and a certificate and key for each of names
    (<name>.crt, <name>.key; none: the script's defaults), written into
    the directory path by scripts/gen-certs.sh."""
    subprocess.run(["sh", os.path.join(SRC, "scripts", "gen-certs.sh"),
                    path] + list(names), check=True,
                   stdout=subprocess.DEVNULL, timeout=60)


def loopback_listener(tls=None, extra=""):
    """A listener line on 127.0.0.1, port 0; tls: the name of the
    certificate and key under certs/ (gen_certs()) it serves HTTPS with;
    extra: more keys (", request_timeout: 2s")."""
    if tls is not None:
        extra = (", tls_cert_file: certs/%s.crt, tls_key_file: "
                 "certs/%s.key" % (tls, tls)) + extra
    return "listener: {hostname: 127.0.0.1, port: 0%s}" % extra


LOOPBACK_LISTENER = loopback_listener()


def _section(name, lines):
    return name + ":\n" + "".join("  %s\n" % l for l in lines)


def _tokens(daemon, clients=True):
    return _tokens_line("clients.%s.json" % daemon if clients else None,
                        "%s.token.json" % daemon)


def _tokens_line(allowed_clients, runtime):
    """The tokens line: the files allowed_clients (None: none) and runtime
    under tokens/."""
    return "tokens: {directory: tokens,%s runtime: %s}" % (
        " allowed_clients: %s," % allowed_clients if allowed_clients else "",
        runtime)


def action_handler_yaml(*settings, listener=LOOPBACK_LISTENER,
                        rules_dir="rules", db_path="ah.db", tokens=None):
    """The action_handler section: listener (default loopback), then
    settings (YAML lines, e.g. "development: true", or blocks of them:
    a block's common indentation goes, empty ones are left out), rules_dir
    (default rules/), the SQLite store db_path (default ah.db; None for
    either: the daemon's default) and the token files: tokens, a pair
    (allowed_clients, runtime) of names under tokens/, e.g. the
    ("clients.json", "runtime.json") WorkDir.write_tokens() writes, or
    None: gen_tokens()'s files."""
    lines = [l for s in settings
             for l in textwrap.dedent(s).splitlines() if l.strip()]
    lines += ["%s: '%s'" % kv for kv in (("rules_dir", rules_dir),
                                          ("db_path", db_path))
              if kv[1] is not None]
    return _section("action_handler", [listener] + lines + [
        _tokens_line(*tokens) if tokens else _tokens("action_handler")])


def classifier_yaml(ah_url, *settings, listener=LOOPBACK_LISTENER):
    """The classifier section: linux alerts to the action handler at
    ah_url, the default queues, rules/, settings (YAML lines, e.g. a
    ca_file), listener (default loopback) and gen_tokens()'s files."""
    return _section("classifier", [
        "action_handler_destinations: {linux: '%s/v1'}" % ah_url,
        "default_remediation_queue: queue_autoremediation",
        "default_investigation_queue: queue_needsinvestigation",
        "rules_dir: rules"] + list(settings) +
        [listener, _tokens("classifier")])


def poller_yaml(destinations, feeds, *settings):
    """The poller section: classifier_destinations (a dict, feed type ->
    the classifier's URL), settings (YAML lines), feeds (feed_list entries
    as og_feed() writes them, 4 spaces in) and gen_tokens()'s runtime
    token."""
    dest = ", ".join("%s: '%s/v1'" % kv for kv in sorted(destinations.items()))
    return (_section("poller", ["classifier_destinations: {%s}" % dest] +
                     list(settings) + ["feed_list:"]) + "".join(feeds) +
            "  %s\n" % _tokens("poller", clients=False))


def _feed(name, auth, kind, base_url, lines, individual_url,
          webhook_secret_file):
    """A feed_list entry (4 spaces in): name, auth, type kind, then
    base_url, individual_url and webhook_secret_file unless None (base_url
    None: the authentication's), with lines between."""
    out = ["- name: '%s'" % name, "  authentication: '%s'" % auth,
           "  type: '%s'" % kind]
    if base_url is not None:
        out.append("  base_url: '%s'" % base_url)
    out += lines
    if individual_url is not None:
        out.append("  individual_url: '%s'" % individual_url)
    if webhook_secret_file is not None:
        out.append("  webhook_secret_file: '%s'" % webhook_secret_file)
    return textwrap.indent("\n".join(out) + "\n", "    ")


def og_feed(name, teams="payments_incoming", individual_url=True,
            webhook_secret_file=None, base_url=None, auth="og", lookback=1):
    """One OpsGenie entry of a poller's feed_list (4 spaces in), with the
    original layout's folded query: open alerts (of team teams, unless
    None) in neither Alexis queue, created within the last lookback
    hours."""
    lines = ["  lookback: %d" % lookback, "  lookback_unit: 'h'",
             "  feed_url: >", "    $base_url/v2/alerts?query=status=open"]
    if teams is not None:
        lines.append("    AND teams=%s" % teams)
    lines += ["    AND teams!=queue_autoremediation",
              "    AND teams!=queue_needsinvestigation",
              "    AND createdAt>$lookback"]
    return _feed(name, auth, "opsgenie", base_url, lines,
                 "$base_url/v2/alerts/$uniqueid?identifierType=tiny"
                 if individual_url else None, webhook_secret_file)


def dt_feed(name, webhook_secret_file=None, base_url=None, auth="dt",
            individual_url=False):
    """One Dynatrace (API v2) entry of a poller's feed_list (4 spaces in):
    open problems of the last two hours; individual_url: each one fetched
    again by its id."""
    return _feed(name, auth, "dynatrace", base_url, [
        "  feed_url: '$base_url/api/v2/problems?problemSelector="
        "status(\"open\")&from=now-2h'"],
        "$base_url/api/v2/problems/$uniqueid" if individual_url else None,
        webhook_secret_file)


# auth_yaml() entries that send the sample credentials as headers.
OG_HEADERS = {"headers": '{"Authorization":"GenieKey %s"}' % GENIE_KEY}
DT_HEADERS = {"headers": '{"Authorization":"Api-Token %s"}' % DT_TOKEN}
# auth_yaml() entries that read them from the files Pipeline writes.
OG_KEY_FILE = {"api_key_file": "secrets/og_key"}
DT_KEY_FILE = {"api_key_file": "secrets/dt_key"}


def auth_yaml(url, og=None, dt=None):
    """An authentication_list of two entries at base_url url: og
    (opsgenie; og: its other keys, default OG_KEY_FILE) and, given dt (its
    other keys, e.g. DT_KEY_FILE), dt (dynatrace)."""
    out = "authentication_list:\n"
    for name, kind, keys in (
            ("og", "opsgenie", og or OG_KEY_FILE),
            ("dt", "dynatrace", dt)):
        if keys is not None:
            out += "  - name: %s\n    type: %s\n    base_url: '%s'\n" % (
                name, kind, url)
            out += "".join("    %s: '%s'\n" % kv for kv in keys.items())
    return out


class Pipeline(Daemons):
    """alexis-sim and the action handler, classifier and poller on
    loopback (programs in bin_dir, default BIN), configured in the WorkDir
    tmp by the sections above: tokens/ (gen_tokens()), the sample keys in
    secrets/og_key and secrets/dt_key; with tls, certs/ (gen_certs()),
    HTTPS between the daemons and self.ca the CA that verifies them. Logs
    under log_dir (default tmp). The caller writes rules/ (and whatever
    its settings name), then start_sim() and start_daemons(); stop() stops
    what started."""

    def __init__(self, tmp, log_dir=None, bin_dir=None, tls=False):
        super().__init__(log_dir or tmp.path, bin_dir)
        self.tmp = tmp
        self.ca = None
        gen_tokens(tmp.join("tokens"))
        tmp.write("secrets/og_key", GENIE_KEY + "\n", 0o600)
        tmp.write("secrets/dt_key", DT_TOKEN + "\n", 0o600)
        if tls:
            gen_certs(tmp.join("certs"), "classifier", "action_handler")
            self.ca = tmp.join("certs", "ca.crt")

    def start_sim(self, *args):
        """alexis-sim with args (e.g. "--apply-delay-ms", "0"): self.sim
        (its SimAdmin), self.sim_url."""
        self.sim_proc, self.sim_url = self.start("sim", [
            "alexis-sim", "--host", "127.0.0.1", "--port", "0"] + list(args))
        self.sim = SimAdmin(self.sim_url)

    def start_daemons(self, ah_settings, feeds, poller_settings=(),
                      poller_listens=True, sources=("opsgenie",), auth=None):
        """Write ah.yaml, cl.yaml and po.yaml and start the three (self.ah,
        self.cl, self.po, their URLs self.ah_url, ...): ah_settings and
        poller_settings YAML lines of their sections; feeds the poller's
        feed_list (og_feed(), dt_feed()); sources the feed types (the
        classifier takes each); poller_listens: the poller has a listener
        (in its settings); auth the authentication_list (YAML), by default
        og and, if sources has "dynatrace", dt (auth_yaml(), key files).
        Returns the three config files' paths."""
        if auth is None:
            auth = auth_yaml(self.sim_url, dt=DT_KEY_FILE
                             if "dynatrace" in sources else None)
        tls = self.ca is not None
        ca = ["ca_file: certs/ca.crt"] if tls else []
        ah = self.tmp.write("ah.yaml", auth + action_handler_yaml(
            *ah_settings, listener=loopback_listener(
                "action_handler" if tls else None)))
        self.ah, self.ah_url = self.start(
            "action_handler", ["alexis-action-handler", "--config", ah])
        cl = self.tmp.write("cl.yaml", auth + classifier_yaml(
            self.ah_url, *ca, listener=loopback_listener(
                "classifier" if tls else None)))
        self.cl, self.cl_url = self.start(
            "classifier", ["alexis-classifier", "--config", cl])
        po = self.tmp.write("po.yaml", auth + poller_yaml(
            {s: self.cl_url for s in sources}, feeds,
            *(list(poller_settings) + ca)))
        self.po, self.po_url = self.start(
            "poller", ["alexis-poller", "--config", po],
            listens=poller_listens)
        return ah, cl, po

    def token(self, name):
        """The secret of gen_tokens()'s token file tokens/<name>."""
        with open(self.tmp.join("tokens", name)) as f:
            return json.load(f)["token"]["id"]

    def first_pass(self, timeout=30):
        """Wait until the poller has finished its first pass; if it does
        not, stop every daemon and raise the wait's error."""
        try:
            wait_until(lambda: self.po.events("pass_finished"),
                       timeout, "the poller's first pass")
        except BaseException:
            self.stop()
            raise


class OgPipeline(Pipeline):
    """A Pipeline in tmp, started at once: alexis-sim (OpsGenie, changes
    applied at once), the action handler with ah_settings, the poller with
    the one OpsGenie feed and poller_settings. If a daemon does not start,
    those started are stopped and the error raised."""

    def __init__(self, tmp, ah_settings, feed, poller_settings=(),
                 poller_listens=True):
        super().__init__(tmp)
        try:
            self.start_sim("--apply-delay-ms", "0")
            self.start_daemons(ah_settings, [feed], poller_settings,
                               poller_listens)
        except BaseException:
            self.stop()
            raise


def start_sim(log_path, *args, bin_dir=None):
    """Start alexis-sim (in bin_dir, default BIN) on 127.0.0.1, port 0,
    with args (e.g. "--apply-delay-ms", "0"); (Proc, URL) once it
    listens."""
    return start_daemon([os.path.join(bin_dir or BIN, "alexis-sim"),
                         "--host", "127.0.0.1", "--port", "0"] + list(args),
                        log_path)


def at_once(n, fn, timeout=60.0):
    """Call fn(i) for i in 0..n-1 from n threads started together; wait
    for each at most timeout seconds. Returns the results of the calls that
    returned, in the order they returned."""
    out = []
    threads = [threading.Thread(target=lambda i=i: out.append(fn(i)))
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return list(out)


def wait_until(cond, timeout=10.0, what="condition", interval=0.02):
    """Call cond() every interval seconds until it returns something true,
    and return that; after timeout seconds raise AssertionError naming what
    (a string, or a function giving one, called only then)."""
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError("timeout (%g s) waiting for %s" % (
                timeout, what() if callable(what) else what))
        time.sleep(interval)    # poll interval, bounded by the deadline


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _do(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path, _, query = self.path.partition("?")
        req = {"method": self.command, "path": path, "query": query,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body.decode("utf-8", "replace")}
        try:
            req["json"] = json.loads(body) if body else None
        except ValueError:
            req["json"] = None
        status, rbody, delay = self.server.sink._answer(req)
        if delay:
            time.sleep(delay)
        data = rbody.encode() if isinstance(rbody, str) else rbody
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _do


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sink:
    """Loopback HTTP server that records requests and answers as told."""

    def __init__(self):
        self.requests = []
        self.rules = []   # (method, prefix, status, body, remaining, delay)
        self.cond = threading.Condition()
        self.srv = _Server(("127.0.0.1", 0), _Handler)
        self.srv.sink = self
        self.port = self.srv.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def answer(self, method, prefix, status, body="{}", times=None,
               delay=0.0):
        """Answer requests matching method and path prefix (newest rule
        first); times=N applies to the next N matching requests only."""
        with self.cond:
            self.rules.insert(0, [method, prefix, status, body, times, delay])

    def _answer(self, req):
        with self.cond:
            self.requests.append(req)
            self.cond.notify_all()
            for r in self.rules:
                if r[0] == req["method"] and req["path"].startswith(r[1]):
                    if r[4] is not None:
                        if r[4] <= 0:
                            continue
                        r[4] -= 1
                    return r[2], r[3], r[5]
        if req["method"] == "POST":
            return 202, json.dumps({"result": "Request will be processed",
                                    "took": 0.001, "requestId": "sink"}), 0
        return 200, "{}", 0

    def find(self, method=None, prefix=""):
        with self.cond:
            return [r for r in self.requests
                    if (method is None or r["method"] == method)
                    and r["path"].startswith(prefix)]

    def wait_for(self, method, prefix, count=1, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [r for r in self.requests
                       if r["method"] == method and
                       r["path"].startswith(prefix)]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "timeout: %d/%d %s %s; seen: %s" % (
                            len(got), count, method, prefix,
                            [(r["method"], r["path"]) for r in
                             self.requests]))
                self.cond.wait(left)

    def clear(self):
        with self.cond:
            self.requests = []

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def classifier_sink():
    """A Sink playing the classifier: POST /v1/classifier gets 202, GET
    /v1/ping answers ok."""
    sink = Sink()
    sink.answer("POST", "/v1/classifier", 202, json.dumps({"received": "x"}))
    sink.answer("GET", "/v1/ping", 200, json.dumps({"status": "ok"}))
    return sink


def http(method, url, body=None, headers=None, timeout=10.0, cafile=None):
    """One request; returns (status, text, headers). Never raises on 4xx/5xx.
    cafile: the CA bundle that verifies an https URL (else the system's)."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else
            json.dumps(body).encode())
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return r.status, r.read().decode("utf-8", "replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), e.headers


class SimAdmin:
    """The admin API of an alexis-sim at url (/_admin/...). Every helper
    but admin() raises AssertionError when the answer is not the expected
    status."""

    def __init__(self, url, timeout=10.0):
        self.url = url
        self.timeout = timeout

    def admin(self, method, path, body=None):
        """One admin request; returns (status, parsed JSON body or None)."""
        st, text, _ = http(method, self.url + "/_admin/" + path, body,
                           timeout=self.timeout)
        return st, (json.loads(text) if text else None)

    def _expect(self, status, method, path, body=None):
        st, doc = self.admin(method, path, body)
        if st != status:
            raise AssertionError("%s /_admin/%s: %d, not %d: %r" % (
                method, path, st, status, doc))
        return doc

    def add_alerts(self, alerts):
        """Create one alert (a dict) or several (a list); returns "data"."""
        return self._expect(201, "POST", "opsgenie/alerts", alerts)["data"]

    def add_problems(self, problems):
        return self._expect(201, "POST", "dynatrace/problems",
                            problems)["data"]

    def add_jsm_alerts(self, alerts):
        """Create JSM-shaped alerts (a dict or a list); returns "data"."""
        return self._expect(201, "POST", "jsm/alerts", alerts)["data"]

    def jsm_alert(self, key):
        """A JSM alert's full state (JSM shape, notes) by id, tinyId or
        alias."""
        return self._expect(200, "GET", "jsm/alerts/" +
                            urllib.parse.quote(key, safe=""))["data"]

    def add_webhook(self, source, url, secret):
        """Have the simulator POST source's ("opsgenie", "dynatrace",
        "jsm") webhooks to url with secret."""
        self._expect(200, "POST", "webhooks", {
            "source": source, "url": url, "secret": secret})

    def fault(self, spec):
        """Inject one fault (a dict) or several (a list)."""
        self._expect(201, "POST", "faults", spec)

    def stats(self):
        """The whole /_admin/stats document."""
        return self._expect(200, "GET", "stats")

    def calls(self, endpoint):
        """Calls counted for one endpoint (e.g. "og.list"), 0 if none."""
        return self.stats()["endpoints"].get(endpoint, {}).get("calls", 0)

    def alert(self, key):
        """An alert's full state (notes, teams, ...) by id, tinyId or alias."""
        return self._expect(200, "GET", "opsgenie/alerts/" +
                            urllib.parse.quote(key, safe=""))["data"]

    def problem(self, pid):
        """A problem's full state (comments, ...) by problemId or
        displayId."""
        return self._expect(200, "GET", "dynatrace/problems/" +
                            urllib.parse.quote(pid, safe=""))["data"]


def now_ms():
    """The wall clock in epoch milliseconds (the simulator's times)."""
    return int(time.time() * 1000)


def file_lines(path):
    """The lines of the file at path (e.g. what a task command appended),
    [] if there is no such file."""
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


@functools.lru_cache(maxsize=None)
def _fixture_text(name):
    with open(os.path.join(SRC, "tests", "fixtures", "envelopes",
                           name)) as f:
        return f.read()


def fixture_envelope(base_url, name="opsgenie-gc.json", unique=None):
    """A fresh copy of the envelope tests/fixtures/envelopes/<name> (an
    alert as the poller forwards it) whose ticket API is at base_url (None:
    the fixture's); given unique, as the alert unique (its tinyId, id
    alert-<unique> and alexis.unique_value)."""
    doc = json.loads(_fixture_text(name))
    if base_url is not None:
        doc["alexis"]["base_url"] = base_url
    if unique is not None:
        doc["alexis"]["unique_value"] = unique
        doc["tinyId"] = unique
        doc["id"] = "alert-" + unique
    return doc


def token(requestor, secret, kind="personal", description="t"):
    """One entry of a token file, in the original layout."""
    return {"type": kind, "requestor": requestor,
            "description": description, "id": secret}


class WorkDir:
    """Files under a directory, paths relative to it."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path, exist_ok=True)

    def write(self, rel, text, mode=None):
        p = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def join(self, *rel):
        return os.path.join(self.path, *rel)

    def write_tokens(self, clients, runtime,
                     clients_name="tokens/clients.json",
                     runtime_name="tokens/runtime.json"):
        """Write the token files of the original layout: clients (a list,
        the allowed_clients file {"token_list": [{"token": ...}]}) and
        runtime (the runtime file {"token": ...}); None skips a file.
        A token is a token() dict or its arguments as a tuple, e.g.
        ("poller", "secret") or ("jdoe", "secret", "user"). Returns the two
        paths (None for a skipped file)."""
        def tok(t):
            return token(*t) if isinstance(t, tuple) else t
        cpath = rpath = None
        if clients is not None:
            cpath = self.write(clients_name, json.dumps({"token_list": [
                {"token": tok(t)} for t in clients]}))
        if runtime is not None:
            rpath = self.write(runtime_name, json.dumps(
                {"token": tok(runtime)}))
        return cpath, rpath


class TempDir(WorkDir):
    """A fresh temporary directory; cleanup() removes it."""

    def __init__(self, prefix="alexis-test-"):
        super().__init__(tempfile.mkdtemp(prefix=prefix))

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def bin_path(name):
    return os.path.join(BIN, name)


# --user tests: an account every Debian has, and the way to hand it a tree.
RUN_AS = "nobody"


def run_as_user():
    """The passwd entry of RUN_AS when this test may switch to it (root
    and the account exists), else None."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError:
        return None


def chown_tree(path, pw):
    """Give path and everything under it to the account pw."""
    for root, _, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)


def proc_ids(pid):
    """{"Uid": [real, effective, saved, fs], "Gid": [...], "Groups": [...]}
    of a running process, from /proc (Linux)."""
    ids = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                ids[k] = v.split()
    return ids


def start_sink(tmpdir, args=(), bin_dir=None, log=None):
    """Start the C alexis-sink (bin_dir, default BIN) on 127.0.0.1, port 0;
    extra args e.g. ("--status", "202"). Its log goes to the file log (a
    path), or nowhere. Returns (Popen, port) once it has written its port
    file (under tmpdir); stop it with terminate()."""
    pf = os.path.join(tmpdir, "sink.port")
    out = open(log, "ab") if log is not None else subprocess.DEVNULL
    try:
        p = subprocess.Popen([os.path.join(bin_dir or BIN, "alexis-sink"),
                              "--host", "127.0.0.1", "--port", "0",
                              "--port-file", pf] + list(args),
                             stdout=out, stderr=out)
    finally:
        if log is not None:
            out.close()
    deadline = time.monotonic() + 10
    while not os.path.exists(pf) or os.path.getsize(pf) == 0:
        if time.monotonic() > deadline or p.poll() is not None:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
            raise SystemExit("alexis-sink did not start")
        time.sleep(0.01)
    with open(pf) as f:
        return p, int(f.read().strip())


__all__ = ["Proc", "Daemons", "OgPipeline", "TempServer", "Sink",
           "SimAdmin", "TempDir", "WorkDir", "http",
           "start_daemon", "start_sink", "token", "wait_until", "bin_path",
           "RUN_AS", "run_as_user", "chown_tree", "proc_ids",
           "parse_logfmt", "log_time", "free_port", "now_ms", "file_lines",
           "fixture_envelope", "gen_tokens", "run_check",
           "start_sim", "auth_yaml", "at_once", "classifier_sink",
           "OG_HEADERS", "DT_HEADERS", "OG_KEY_FILE", "DT_KEY_FILE",
           "Pipeline", "gen_certs", "loopback_listener", "dt_feed",
           "action_handler_yaml", "classifier_yaml", "poller_yaml", "og_feed",
           "LOOPBACK_LISTENER", "BIN", "SRC", "GENIE_KEY", "DT_TOKEN",
           "JSM_CLOUD_ID", "JSM_EMAIL", "JSM_TOKEN"]
