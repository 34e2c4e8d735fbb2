#!/usr/bin/env python3
"""Poller benchmark (issue 4; not a timed test).

One full poller cycle against alexis-sim holding 10,000 open OpsGenie
alerts, with the simulator's rate limits on: the cycle's wall time, the
number of API calls the simulator counted (per endpoint, 429s included),
and how many envelopes reached the classifier (alexis-sink, a canned 202).

The alerts are created through the simulator's admin API. The poller runs
once (--once) with the original layout's folded OpsGenie query; its
poll_finished line and the simulator's /_admin/stats give the numbers.

Usage: bench/poller_bench.py [--alerts 10000] [--concurrency 8]
           [--rate og.search=10/10 --rate og.alert=200/200 | --no-rate]
           [--list-rate N] [--item-rate N]
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
                     http, start_daemon, start_sink)

TOKEN = "bench-poller-token-0123456789"
BATCH = 1000

CONFIG = """\
authentication_list:
  - name: 'og'
    type: 'opsgenie'
    base_url: '{sim}'
    headers: '{{"Authorization":"GenieKey {genie}"}}'
poller:
  classifier_destinations:
    opsgenie: '{sink}/v1'
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
    - name: 'bench'
      authentication: 'og'
      type: 'opsgenie'
      lookback: 1
      lookback_unit: 'h'
      feed_url: >
        $base_url/v2/alerts?query=status=open
        AND teams=payments_incoming
        AND teams!=queue_autoremediation
        AND teams!=queue_needsinvestigation
        AND createdAt>$lookback
      individual_url: '$base_url/v2/alerts/$uniqueid?identifierType=tiny'
"""


def create_alerts(sim, n):
    t0 = int(time.time() * 1000) - 600000
    for start in range(0, n, BATCH):
        batch = [{"message": "Long garbage-collection time %d" % i,
                  "createdAt": t0 + i, "tags": ["env.prod"],
                  "details": {"host": "ledger-%d" % (i % 50)},
                  "teams": [{"name": "payments_incoming"}]}
                 for i in range(start, min(n, start + BATCH))]
        sim.add_alerts(batch)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--retries", type=int, default=3)
    ap.add_argument("--rate", action="append",
                    help="sim rate limit DOMAIN=RATE[/BURST] (repeatable)")
    ap.add_argument("--no-rate", action="store_true")
    ap.add_argument("--list-rate", type=int, default=0,
                    help="poller list_rate_limit (calls/s, 0 = off)")
    ap.add_argument("--item-rate", type=int, default=0,
                    help="poller item_rate_limit (calls/s, 0 = off)")
    args = ap.parse_args()
    rates = [] if args.no_rate else (args.rate or ["og.search=10/10",
                                                   "og.alert=200/200"])
    tmp = TempDir(prefix="alexis-poller-bench-")
    sim_proc, sim_url = start_daemon(
        [os.path.join(BIN, "alexis-sim"), "--host", "127.0.0.1", "--port",
         "0", "--max-alerts", str(args.alerts + 100)] +
        sum([["--rate-limit", r] for r in rates], []), tmp.join("sim.log"))
    sim = SimAdmin(sim_url, timeout=60)
    sink = poller = None
    try:
        # Creation goes through the admin API, which is not rate-limited.
        create_alerts(sim, args.alerts)
        sim.admin("DELETE", "stats")
        sink, sink_port = start_sink(tmp.path, ("--status", "202", "--body",
                                                '{"received":"x"}'))
        tmp.write_tokens(None, ("poller", TOKEN, "personal", "bench"),
                         runtime_name="poller.token.json")
        cfg = tmp.write("alexis.conf.yaml", CONFIG.format(
            sim=sim_url, genie=GENIE_KEY,
            sink="http://127.0.0.1:%d" % sink_port,
            concurrency=args.concurrency, retries=args.retries,
            list_rate=args.list_rate, item_rate=args.item_rate))
        t = time.monotonic()
        poller = Proc([os.path.join(BIN, "alexis-poller"), "--config", cfg],
                      tmp.join("poller.log"))
        rc = poller.wait_exit(timeout=3600)
        elapsed = time.monotonic() - t
        fin = poller.events("poll_finished")[0]
        stats = sim.stats()
        st, text, _ = http("GET", "http://127.0.0.1:%d/_sink/count" %
                           sink_port)
        posted = json.loads(text).get("requests", text)
        print("poller benchmark: %d open alerts, concurrency %d, "
              "max_retries %d, sim rate limits: %s, poller pacing: "
              "list %s/s, items %s/s" % (
                  args.alerts, args.concurrency, args.retries,
                  ", ".join(rates) or "off", args.list_rate or "off",
                  args.item_rate or "off"))
        print("  exit status           %d" % rc)
        print("  cycle time            %.2f s (poller's own: %s ms)" % (
            elapsed, fin["app_elapsed_ms"]))
        print("  items / delivered     %s / %s  (failed %s, pages %s)" % (
            fin["items"], fin["delivered"], fin["failed"], fin["pages"]))
        print("  sink POSTs            %s" % posted)
        print("  poller API calls      %s (classifier calls %s)" % (
            fin["api_calls"], fin["classifier_calls"]))
        print("  sim calls total       %s" % stats.get("total"))
        for ep, s in sorted(stats.get("endpoints", {}).items()):
            print("    %-12s calls %-6s 2xx %-6s 429 %-5s 5xx %s" % (
                ep, s.get("calls"), s.get("2xx"), s.get("429"),
                s.get("5xx")))
        print("  throughput            %.0f alerts/s" % (
            int(fin["delivered"]) / elapsed if elapsed else 0))
    finally:
        if poller is not None:
            poller.stop()
        if sink is not None:
            sink.terminate()
            sink.wait(timeout=10)
        sim_proc.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
