#!/usr/bin/env python3
"""Classifier throughput benchmark (issue 2; not a timed test).

Measures processed alerts/s, meaning classification plus forward to the
action handler plus ticket mark, all against loopback sinks. It does this
with 4, 100 and 1000 rules, one of them matching. In the same run it
measures the req/s of an empty libmicrohttpd handler (alexis-sink) under
the same load generator (wrk) on the same machine, and prints the ratios.

A second reference in the same run is the protocol's floor (measured
once more right before each rule count): alexis-sink --relay, an empty
handler that POSTs each body twice to the sink with libcurl before
answering (forward and ticket mark, with no parsing, matching or
logging). Whatever a classifier does, it cannot process more alerts/s
than that on this machine, so the ratio to it is the classifier's own
overhead.

The third reference, measured right after the relay, is the design's
floor: the same relay that also parses the body with cJSON and writes six
log lines about it, one write(2) each, to a file (alexis-sink --relay
--floor-log 6). DESIGN asks that of every classifier (§8: one write(2)
per line; the classifier writes six lines per matched alert), so the
ratio to it is what our code adds beyond what the design costs anyway.

A "processed" alert is one whose forward and ticket mark both reached the
sink: processed/s = (sink POSTs during the run) / 2 / duration. wrk keeps
the classifier saturated. Requests it answers 503 (queue full) are not
counted as processed.

Usage: bench/classifier_bench.py [--duration 10] [--connections 32]
Needs a release build in build/ (scripts/build.sh) and wrk (installed here
via EXTRA_PKGS=wrk scripts/deps.sh).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import (TempDir, auth_yaml, http, start_daemon,  # noqa: E402
                     start_sink)

BIN = os.path.join(ROOT, "build", "bin")
TOKEN = "bench-poller-token-0123456789"
LUA = """
wrk.method = "POST"
local f = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
"""


def cpu_s(pid):
    """User + system CPU seconds of a process (every thread) so far."""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def sink_count(port):
    st, body, _ = http("GET", "http://127.0.0.1:%d/_sink/count" % port)
    return json.loads(body)["requests"]


def wrk(url, duration, conns, env):
    out = subprocess.run(["wrk", "-t2", "-c%d" % conns, "-d%ds" % duration,
                          "-s", env["BENCH_LUA"], url],
                         env=env, stdout=subprocess.PIPE, check=True,
                         stderr=subprocess.STDOUT).stdout.decode()
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)), out


def write_rules(d, n, pattern="Service %d (latency|errors) above [0-9]+"):
    """n rules in d, the last one matching the sample alert; pattern (with
    %d for the rule's number) is the others' search_text."""
    os.makedirs(d)
    with open(os.path.join(ROOT, "rules", "ledger_gc_restart.json")) as f:
        match = json.load(f)
    for i in range(n - 1):
        r = dict(match)
        r["rule_name"] = "bench_rule_%04d" % i
        # Realistic non-matches: half share the alert's tags (so the regex
        # runs and fails), half need a tag the alert lacks.
        ev = {"tags": ["env.prod", "svc.ledger"] if i % 2 == 0 else
              ["env.prod", "svc.other%d" % i],
              "search_key": "message",
              "search_text": pattern % i}
        r["evaluation_list"] = [{"evaluation": ev}]
        with open(os.path.join(d, "r%04d.json" % i), "w") as f:
            json.dump(r, f)
    with open(os.path.join(d, "zz_match.json"), "w") as f:
        json.dump(match, f)


def config(tmp, sink_port, rules, workers):
    url = "http://127.0.0.1:%d" % sink_port
    tmp.write_tokens([("bench", TOKEN, "personal", "b")],
                     ("classifier", "bench-runtime", "personal", "b"),
                     runtime_name="tokens/rt.json")
    return tmp.write("alexis.conf.yaml", auth_yaml(url, og={
        "headers": '{"Authorization":"GenieKey bench"}'}) + """\
classifier:
  action_handler_destinations: {linux: '%s/v1'}
  default_remediation_queue: q_rem
  default_investigation_queue: q_inv
  rules_dir: '%s'
  listener: {hostname: 127.0.0.1, port: 0}
  workers: %d
  queue_size: 4096
  tokens: {directory: tokens, allowed_clients: clients.json, runtime: rt.json}
""" % (url, rules, workers))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=16)
    args = ap.parse_args()
    tmp = TempDir(prefix="alexis-bench-")
    sink, sport = start_sink(tmp.path, bin_dir=BIN)
    procs = []
    try:
        lua = tmp.write("wrk.lua", LUA)
        with open(os.path.join(ROOT, "tests", "fixtures", "envelopes",
                               "opsgenie-gc.json")) as f:
            env_doc = json.load(f)
        env_doc["alexis"]["base_url"] = "http://127.0.0.1:%d" % sport
        body = tmp.write("body.json", json.dumps(env_doc))
        env = dict(os.environ, BENCH_BODY=body, BENCH_TOKEN=TOKEN,
                   BENCH_LUA=lua)

        # Reference: the empty MHD handler, same load generator and body.
        ref, _ = wrk("http://127.0.0.1:%d/v1/classifier" % sport,
                     args.duration, args.connections, env)
        print("empty libmicrohttpd handler: %.0f req/s" % ref)
        # Floor of the protocol: the same three exchanges, nothing else.
        # Measured again right before each rule count, so that the ratio
        # compares two runs a few seconds apart on this shared machine.
        def floor_rate(k, kind="relay"):
            d = tmp.join("%s%d" % (kind, k))
            os.makedirs(d)
            extra = ("--floor-log", "6") if kind == "design" else ()
            relay, rport = start_sink(
                d, bin_dir=BIN, log=os.path.join(d, "sink.log"),
                args=("--threads", str(args.workers), "--relay",
                      "http://127.0.0.1:%d/v1/action" % sport) + extra)
            try:
                before = sink_count(sport)
                t0, c0 = time.monotonic(), cpu_s(relay.pid)
                wrk("http://127.0.0.1:%d/v1/classifier" % rport,
                    args.duration, args.connections, env)
                n = (sink_count(sport) - before) / 2.0
                cpu_us[kind].append(1e6 * (cpu_s(relay.pid) - c0) / n)
                return n / (time.monotonic() - t0)
            finally:
                relay.terminate()
                relay.wait(timeout=10)

        # CPU time per processed alert of the relay and of the classifier:
        # what each costs, less moved by the machine's other load than
        # alerts/s.
        cpu_us = {"relay": [], "design": []}
        floor = floor_rate(0)
        print("relay floor (intake + 2 libcurl POSTs, nothing else): "
              "%.0f alerts/s = %.0f%% of the empty server"
              % (floor, 100.0 * floor / ref))
        design = floor_rate(0, "design")
        print("design floor (the relay + cJSON parse + 6 log lines, one "
              "write(2) each): %.0f alerts/s = %.0f%% of the relay floor"
              % (design, 100.0 * design / floor))
        print("original Python classifier (issue 2): 83 / 19 / 1.9 "
              "alerts/s at 4 / 100 / 1000 rules")
        results = []
        for n in (4, 100, 1000):
            floor = floor_rate(n)
            design = floor_rate(n, "design")
            rules = tmp.join("rules%d" % n)
            write_rules(rules, n)
            conf = config(tmp, sport, rules, args.workers)
            c, url = start_daemon([os.path.join(BIN, "alexis-classifier"),
                                   "--config", conf],
                                  tmp.join("classifier%d.log" % n))
            procs.append(c)
            before = sink_count(sport)
            t0, c0 = time.monotonic(), cpu_s(c.p.pid)
            acc, _ = wrk(url + "/v1/classifier", args.duration,
                         args.connections, env)
            elapsed = time.monotonic() - t0
            after = sink_count(sport)
            cpu_us[n] = 1e6 * (cpu_s(c.p.pid) - c0) / max(
                (after - before) / 2.0, 1)
            c.stop()
            # Work accepted during the run but finished while draining at
            # stop is not counted: only what completed within the window.
            processed = (after - before) / 2.0 / elapsed
            fin = len(c.events("classification_finished", result="matched"))
            results.append((n, processed, floor, design))
            print("%4d rules: %8.0f processed alerts/s  (%.0f%% of empty "
                  "server, %.0f%% of the relay floor of %.0f/s and %.0f%% "
                  "of the design floor of %.0f/s, both measured just "
                  "before; HTTP answers %.0f/s incl. 503s; %d matched "
                  "in log)"
                  % (n, processed, 100.0 * processed / ref,
                     100.0 * processed / floor, floor,
                     100.0 * processed / design, design, acc, fin))
            print("           CPU per processed alert: classifier %.0f us, "
                  "relay %.0f us, design floor %.0f us (their runs just "
                  "before)" % (cpu_us[n], cpu_us["relay"][-1],
                               cpu_us["design"][-1]))
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        print(json.dumps({"empty_server_req_s": ref, "load": load,
                          "results": [
            {"rules": n, "processed_per_s": round(p),
             "relay_floor_alerts_s": round(fl),
             "design_floor_alerts_s": round(de),
             "ratio_vs_empty": round(p / ref, 3),
             "ratio_vs_relay": round(p / fl, 3),
             "ratio_vs_design": round(p / de, 3),
             "cpu_us_per_alert": round(cpu_us[n]),
             "relay_cpu_us_per_alert": round(cpu_us["relay"][i + 1]),
             "design_cpu_us_per_alert": round(cpu_us["design"][i + 1])}
            for i, (n, p, fl, de) in enumerate(results)]}))
    finally:
        for c in procs:
            c.stop()
        sink.terminate()
        sink.wait(timeout=10)
        tmp.cleanup()


if __name__ == "__main__":
    main()
