"""Shared helpers for Alexis integration tests (Python 3 stdlib only).

- Proc: a daemon started by the test, its stderr (key=value log) captured to
  a file; readiness is a log line (e.g. event=listening, which carries the
  port the daemon bound when the config asked for port 0); stop() signals
  that pid only, then waits.
- Sink: a loopback HTTP server recording every request, standing in for the
  action handler and the OpsGenie/Dynatrace APIs; answers are programmable
  per (method, path prefix); wait_for() blocks on a condition, not a sleep.
- http(): one request with urllib, returning (status, body text, headers).
"""
import http.server
import json
import os
import re
import shutil
import signal
import socketserver
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

BIN = os.environ.get("ALEXIS_BIN", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "bin"))
SRC = os.environ.get("ALEXIS_SRC", os.path.join(
    os.path.dirname(__file__), "..", ".."))


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


class Proc:
    """A daemon started by a test, stopped by its pid."""

    def __init__(self, args, log_path, env=None, cwd=None):
        self.args = args
        self.log_path = log_path
        self.logf = open(log_path, "ab")
        self.p = subprocess.Popen(args, stdout=self.logf, stderr=self.logf,
                                  env=env, cwd=cwd)

    @property
    def pid(self):
        return self.p.pid

    def lines(self):
        with open(self.log_path, "r", encoding="utf-8",
                  errors="replace") as f:
            return [l.rstrip("\n") for l in f]

    def events(self, event=None, **match):
        out = []
        for l in self.lines():
            kv = parse_logfmt(l)
            if event is not None and kv.get("event") != event:
                continue
            if all(kv.get(k) == v for k, v in match.items()):
                out.append(kv)
        return out

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


def http(method, url, body=None, headers=None, timeout=10.0):
    """One request; returns (status, text, headers). Never raises on 4xx/5xx."""
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else
            json.dumps(body).encode())
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), e.headers


class TempDir:
    def __init__(self, prefix="alexis-test-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

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

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def bin_path(name):
    return os.path.join(BIN, name)


def grep_log(lines, **match):
    return [parse_logfmt(l) for l in lines
            if all(parse_logfmt(l).get(k) == v for k, v in match.items())]


__all__ = ["Proc", "Sink", "http", "TempDir", "bin_path", "parse_logfmt",
           "grep_log", "BIN", "SRC", "re"]
