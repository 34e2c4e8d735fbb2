#!/usr/bin/env python3
"""Poller benchmark (issues 4 and 12; not a timed test).

One full poller cycle against alexis-sim holding 10,000 open alerts, with
the simulator's rate limits on, once through an OpsGenie feed and once
through a JSM feed, in the same run and over the same alerts (the
simulator's OpsGenie and JSM APIs show one set of alerts, as for an
account moved from OpsGenie to JSM). For each: the cycle's wall time, the
API calls the simulator counted (per endpoint, 429s included), and how
many envelopes reached the classifier (alexis-sink, a canned 202).

The alerts are created through the simulator's admin API. The poller runs
once (--once) per feed: the original layout's folded OpsGenie query, and a
jsm feed (status: open, the default skip_tags, the same lookback). Its
poll_finished line and the simulator's /_admin/stats give the numbers.

Usage: bench/poller_bench.py [--alerts 10000] [--concurrency 8]
           [--feeds opsgenie,jsm]
           [--rate og.search=10/10 --rate og.alert=200/200 ... | --no-rate]
           [--list-rate N] [--item-rate N]
Without --rate both APIs get the same limits: 10 searches/s and 200 alert
calls/s (og.search, og.alert, jsm.search, jsm.alert).
--list-rate / --item-rate set the poller's own pacing (list_rate_limit,
item_rate_limit); without them the poller learns the limit from 429s.
Needs a build in build/ (scripts/build.sh), or ALEXIS_BIN pointing at the
binaries (alexis-poller, alexis-sim, alexis-sink).
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import (BIN, GENIE_KEY, Proc, SimAdmin, TempDir,  # noqa: E402
                     http, og_feed, start_sim, start_sink, JSM_CLOUD_ID,
                     JSM_EMAIL, JSM_TOKEN)

TOKEN = "bench-poller-token-0123456789"
BATCH = 1000

POLLER = """\
poller:
  classifier_destinations:
    {kind}: '{sink}/v1'
  single_execution: true
  loop_interval: 60
  concurrency: {concurrency}
  max_retries: {retries}
  list_rate_limit: {list_rate}
  item_rate_limit: {item_rate}
  tokens:
    directory: '.'
    runtime: 'poller.token.json'
  feed_list:
"""

CONFIG = {
    "opsgenie": """\
authentication_list:
  - name: 'og'
    type: 'opsgenie'
    base_url: '{sim}'
    headers: '{{"Authorization":"GenieKey {genie}"}}'
""" + POLLER + og_feed("bench"),
    "jsm": """\
authentication_list:
  - name: 'jsm'
    type: 'jsm'
    base_url: '{sim}'
    cloud_id: '{cloud}'
    email: '{email}'
    api_token_file: '{token_file}'
""" + POLLER + """\
    - name: 'bench-jsm'
      authentication: 'jsm'
      type: 'jsm'
      query: 'status: open'
      lookback: 1
      lookback_unit: 'h'
""",
}

DEFAULT_RATES = ["og.search=10/10", "og.alert=200/200",
                 "jsm.search=10/10", "jsm.alert=200/200"]


def create_alerts(sim, n):
    t0 = int(time.time() * 1000) - 600000
    for start in range(0, n, BATCH):
        batch = [{"message": "Long garbage-collection time %d" % i,
                  "createdAt": t0 + i, "tags": ["env.prod"],
                  "details": {"host": "ledger-%d" % (i % 50)},
                  "teams": [{"name": "payments_incoming"}]}
                 for i in range(start, min(n, start + BATCH))]
        sim.add_alerts(batch)


def sink_count(port):
    st, text, _ = http("GET", "http://127.0.0.1:%d/_sink/count" % port)
    return json.loads(text).get("requests", 0) if st == 200 else -1


def one_cycle(kind, tmp, sim, sim_url, sink_port, args):
    """One poller run over a feed of this kind; its figures."""
    sim.admin("DELETE", "stats")
    before = sink_count(sink_port)
    token_file = tmp.write("jsm.token", JSM_TOKEN + "\n", mode=0o600)
    cfg = tmp.write("%s.conf.yaml" % kind, CONFIG[kind].format(
        kind=kind, sim=sim_url, genie=GENIE_KEY, cloud=JSM_CLOUD_ID,
        email=JSM_EMAIL, token_file=token_file,
        sink="http://127.0.0.1:%d" % sink_port,
        concurrency=args.concurrency, retries=args.retries,
        list_rate=args.list_rate, item_rate=args.item_rate))
    t = time.monotonic()
    poller = Proc([os.path.join(BIN, "alexis-poller"), "--config", cfg],
                  tmp.join("poller-%s.log" % kind))
    try:
        rc = poller.wait_exit(timeout=3600)
    finally:
        poller.stop()
    elapsed = time.monotonic() - t
    fins = poller.events("poll_finished")
    if not fins:
        raise SystemExit("%s: the poller logged no poll_finished (exit %s); "
                         "see %s" % (kind, rc, tmp.join("poller-%s.log" %
                                                       kind)))
    return {"kind": kind, "rc": rc, "elapsed": elapsed, "fin": fins[0],
            "stats": sim.stats(), "posted": sink_count(sink_port) - before}


def report(r):
    fin, stats = r["fin"], r["stats"]
    print("  %s feed" % r["kind"])
    print("    exit status           %d" % r["rc"])
    print("    cycle time            %.2f s (poller's own: %s ms)" % (
        r["elapsed"], fin["app_elapsed_ms"]))
    print("    items / delivered     %s / %s  (failed %s, pages %s)" % (
        fin["items"], fin["delivered"], fin["failed"], fin["pages"]))
    print("    sink POSTs            %s" % r["posted"])
    print("    poller API calls      %s (classifier calls %s)" % (
        fin["api_calls"], fin["classifier_calls"]))
    print("    sim calls total       %s" % stats.get("total"))
    for ep, s in sorted(stats.get("endpoints", {}).items()):
        print("      %-18s calls %-6s 2xx %-6s 429 %-5s 5xx %s" % (
            ep, s.get("calls"), s.get("2xx"), s.get("429"), s.get("5xx")))
    print("    throughput            %.0f alerts/s" % (
        int(fin["delivered"]) / r["elapsed"] if r["elapsed"] else 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--retries", type=int, default=3)
    ap.add_argument("--feeds", default="opsgenie,jsm",
                    help="comma-separated feed kinds, run in this order")
    ap.add_argument("--rate", action="append",
                    help="sim rate limit DOMAIN=RATE[/BURST] (repeatable)")
    ap.add_argument("--no-rate", action="store_true")
    ap.add_argument("--list-rate", type=int, default=0,
                    help="poller list_rate_limit (calls/s, 0 = off)")
    ap.add_argument("--item-rate", type=int, default=0,
                    help="poller item_rate_limit (calls/s, 0 = off)")
    args = ap.parse_args()
    kinds = [k for k in args.feeds.split(",") if k]
    if not kinds or any(k not in CONFIG for k in kinds):
        ap.error("--feeds takes opsgenie and/or jsm")
    rates = [] if args.no_rate else (args.rate or DEFAULT_RATES)
    tmp = TempDir(prefix="alexis-poller-bench-")
    sim_proc, sim_url = start_sim(
        tmp.join("sim.log"), "--max-alerts", str(args.alerts + 100),
        *sum([["--rate-limit", r] for r in rates], []))
    sim = SimAdmin(sim_url, timeout=60)
    sink = None
    try:
        # Creation goes through the admin API, which is not rate-limited.
        create_alerts(sim, args.alerts)
        sink, sink_port = start_sink(tmp.path, ("--status", "202", "--body",
                                                '{"received":"x"}'))
        tmp.write_tokens(None, ("poller", TOKEN, "personal", "bench"),
                         runtime_name="poller.token.json")
        results = [one_cycle(k, tmp, sim, sim_url, sink_port, args)
                   for k in kinds]
        print("poller benchmark: %d open alerts, concurrency %d, "
              "max_retries %d, sim rate limits: %s, poller pacing: "
              "list %s/s, items %s/s" % (
                  args.alerts, args.concurrency, args.retries,
                  ", ".join(rates) or "off", args.list_rate or "off",
                  args.item_rate or "off"))
        for r in results:
            report(r)
        if len(results) == 2:
            a, b = results
            print("  %s / %s: cycle time %.2f, API calls %s / %s" % (
                b["kind"], a["kind"],
                b["elapsed"] / a["elapsed"] if a["elapsed"] else 0,
                b["fin"]["api_calls"], a["fin"]["api_calls"]))
    finally:
        if sink is not None:
            sink.terminate()
            sink.wait(timeout=10)
        sim_proc.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
