#!/usr/bin/env python3
"""Benchmark of alexis-report (issue 6): lines/s of `alexis-report summary`
against `grep -c event=ActionFinished` on the same ~1 GB log, in the same
run (target: the report within 3x of grep's time).

The log is realistic: the lines all three daemons write for an alert
(poller, classifier, action handler with ActionStart/ActionResult/
ActionFinished per entity), escaped exactly as common/log.c does, with a
few malformed lines. A block of distinct alerts is generated once and
written repeatedly with shifted days until the size is reached. It lives
in a temporary directory that is deleted afterwards.

With --day LINES it measures the report's real job instead (issue 10): one
day of logs at a busy site (LINES lines, e.g. 1500000, every alert
distinct), `alexis-report summary` with the bit-parallel fast path
(report/logscan.c) against the same binary with ALEXIS_REPORT_SCALAR=1
(byte parser only), in the same run, and prints the ratio.

usage: bench/report_bench.py [--size-mb 1024] [--bin build/bin/alexis-report]
                             [--runs 3] [--log FILE] [--day LINES]
Use a build without sanitizers (e.g. scripts/build.sh) for real numbers.
--log reuses a log generated before (it is not deleted; with --day it is
timed as the day). The load average
is printed before and after, since the machine may be shared.
"""
import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def esc(v):
    """log_escape_value: bare, or quoted with \\" \\\\ \\n \\r \\t \\u00XX."""
    v = str(v)
    if v and not any(c <= " " or c in '"=\\\x7f' for c in v):
        return v
    out = []
    for c in v:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c < " " or c == "\x7f":
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def line(ts, level, app, event, **kv):
    head = "ts=%s level=%s app=%s event=%s" % (ts, level, app, event)
    return head + "".join(" %s=%s" % (k, esc(v)) for k, v in kv.items())


ACTIONS = [("ledger_gc_restart", "restart_gc", "GC overhead above 98%"),
           ("db_var_journal_vacuum", "journal_vacuum", "/var is 95% full"),
           ("dt_memory_saturation", "drop_caches", "memory saturation"),
           ("web_nginx_reload", "reload_nginx", "5xx burst"),
           ("queue_consumer_restart", "restart_consumer", "lag > 10k")]


def alert_lines(rng, day, n):
    ts0 = "2026-05-%02dT%02d:%02d:%02d.%03dZ"
    tiny = str(1000 + n)
    h, m, s = rng.randrange(24), rng.randrange(60), rng.randrange(60)

    def ts(off):
        return ts0 % (day, h, m, min(59, s + off), rng.randrange(1000))
    rule, action, reason = rng.choice(ACTIONS)
    out = [line(ts(0), "info", "poller", "alert_fetched", feed_name="og",
                tinyId=tiny, app_elapsed_ms=rng.randrange(5, 90)),
           line(ts(0), "info", "classifier", "request_finished",
                method="POST", path="/v1/classifier", status=202,
                requestor="poller", app_elapsed_ms=1, tinyId=tiny),
           line(ts(0), "info", "classifier", "classification_started",
                tinyId=tiny, feed_type="opsgenie", feed_name="og",
                queued_ms=0),
           line(ts(0), "info", "classifier", "rule_evaluated", tinyId=tiny,
                rule_name=rule, matched="true", reason=""),
           line(ts(1), "info", "classifier", "action_forwarded",
                tinyId=tiny, rule_name=rule, os_type="linux",
                action_handler="http://ah:8084/v1", status=202,
                app_elapsed_ms=rng.randrange(2, 40)),
           line(ts(1), "info", "classifier", "classification_finished",
                tinyId=tiny, result="matched", rules_checked=40,
                rules_matched=1, rules_forwarded=1, app_elapsed_ms=12)]
    job = "j-%d-%d" % (day, n)
    for e in range(rng.randrange(1, 4)):
        ent = "host-%03d.prod.example.com" % rng.randrange(300)
        ok = rng.random() > 0.08
        ms = int(rng.lognormvariate(7.5, 0.8))
        common = dict(tinyId=tiny, job=job, rule_name=rule, entity=ent,
                      action=action, action_reason=reason)
        out.append(line(ts(2), "info", "action_handler", "ActionStart",
                        **common))
        res = dict(common, exit_status=0 if ok else 1,
                   action_status="success" if ok else "failed",
                   app_elapsed_ms=ms)
        if not ok:
            res["error"] = 'command failed: "systemctl restart" exit 1'
        out.append(line(ts(3), "info" if ok else "warn", "action_handler",
                        "ActionResult", **res))
        out.append(line(ts(3), "info", "action_handler", "ActionFinished",
                        **res))
    out.append(line(ts(4), "info", "action_handler", "ticket_noted",
                    tinyId=tiny, job=job, status=202))
    return out


def generate(path, size):
    rng = random.Random(6)
    block = []
    for n in range(20000):
        block.extend(alert_lines(rng, 1, n))
        if n % 997 == 0:
            block.append("panic: not a logfmt line")
    day1 = "\n".join(block) + "\n"
    written, day = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < size:
            day = day % 28 + 1
            chunk = day1.replace("2026-05-01T", "2026-05-%02dT" % day)
            f.write(chunk)
            written += len(chunk.encode())
    return written


def generate_day(path, nlines):
    """One day: distinct alerts spread over 24 hours until nlines."""
    rng = random.Random(10)
    written, n = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < nlines:
            block = alert_lines(rng, 1, n)
            if n % 997 == 0:
                block.append("panic: not a logfmt line")
            f.write("\n".join(block) + "\n")
            written += len(block)
            n += 1
    return os.path.getsize(path)


def best_of(cmd, runs, env=None):
    best, out = None, None
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, env=env,
                           stderr=subprocess.PIPE, timeout=600)
        dt = time.monotonic() - t0
        if p.returncode not in (0, 1):
            sys.exit("%s failed: %s" % (cmd[0], p.stderr.decode()))
        out = p.stdout
        best = dt if best is None else min(best, dt)
    return best, out


def cpu_children():
    """User + system seconds of the children waited for so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def fast_vs_scalar(args, log, lines):
    """The report with and without logscan.c, alternating, same output."""
    scalar = dict(os.environ, ALEXIS_REPORT_SCALAR="1")
    fast = dict(os.environ)
    fast.pop("ALEXIS_REPORT_SCALAR", None)
    fs, ss, cf, cs = [], [], [], []
    for _ in range(args.runs):
        c0 = cpu_children()
        a, out_f = best_of([args.bin, "summary", log], 1, fast)
        c1 = cpu_children()
        b, out_s = best_of([args.bin, "summary", log], 1, scalar)
        c2 = cpu_children()
        if out_f != out_s:
            sys.exit("fast path and byte parser disagree")
        fs.append(a)
        ss.append(b)
        cf.append(c1 - c0)
        cs.append(c2 - c1)
    tf, ts = min(fs), min(ss)
    print("summary, fast path (logscan):    best %.3f s (%.2f M lines/s), "
          "median %.3f s" % (tf, lines / tf / 1e6, statistics.median(fs)))
    print("summary, byte parser only:       best %.3f s (%.2f M lines/s), "
          "median %.3f s" % (ts, lines / ts / 1e6, statistics.median(ss)))
    print("speed-up of the fast path: best %.2fx, median %.2fx, per pair "
          "%s (%d runs each, alternating)" % (
              ts / tf, statistics.median(ss) / statistics.median(fs),
              " ".join("%.2f" % (b / a) for a, b in zip(fs, ss)), args.runs))
    # CPU time (user + system) depends less on a shared machine's load.
    print("CPU time: fast path median %.3f s, byte parser median %.3f s, "
          "ratio %.2fx" % (statistics.median(cf), statistics.median(cs),
                           statistics.median(cs) / statistics.median(cf)))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--bin", default=os.path.join(
        HERE, "..", "build", "bin", "alexis-report"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--log", help="an existing log to read (kept)")
    ap.add_argument("--day", type=int, metavar="LINES",
                    help="fast path on vs off over one day of LINES lines")
    args = ap.parse_args()
    tmp = None if args.log else tempfile.mkdtemp(prefix="alexis-report-bench-")
    try:
        t0 = time.monotonic()
        if args.log:
            log = args.log
            size = os.path.getsize(log)
        elif args.day:
            log = os.path.join(tmp, "alexis.log")
            size = generate_day(log, args.day)
        else:
            log = os.path.join(tmp, "alexis.log")
            size = generate(log, args.size_mb * 1024 * 1024)
        with open(log, "rb") as f:
            lines = sum(chunk.count(b"\n") for chunk in
                        iter(lambda: f.read(1 << 24), b""))
        print("log: %.0f MB, %d lines, ready in %.1f s" %
              (size / 1e6, lines, time.monotonic() - t0))
        print("load average before: %.2f %.2f %.2f" % os.getloadavg())
        if args.day:
            fast_vs_scalar(args, log, lines)
            return
        tg, out = best_of(["grep", "-c", "event=ActionFinished", log],
                          args.runs)
        print("grep -c event=ActionFinished: %.2f s, %.2f M lines/s "
              "(%s matches)" % (tg, lines / tg / 1e6, out.decode().strip()))
        tr, _ = best_of([args.bin, "summary", log], args.runs)
        print("alexis-report summary:        %.2f s, %.2f M lines/s" %
              (tr, lines / tr / 1e6))
        print("ratio report/grep: %.2fx (target <= 3x)" % (tr / tg))
        print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
