#!/usr/bin/env python3
"""Time-to-remediation benchmark (issue 12; not a timed test).

From the moment an alert is created in alexis-sim (its createdAt, the
simulator's clock) to the action handler's ActionStart log line for it
(its ts), p50 / p99 over N alerts, for three ways the poller learns of
an alert, in the same run, each on a fresh set of daemons:

  webhook   the simulator POSTs OpsGenie's Create webhook to the poller's
            listener (loop_interval 1 h, so no poll competes)
  poll_1s   polling only, loop_interval 1 s
  poll_60s  polling only, loop_interval 60 s (alerts spread over
            --spread-60 seconds, default 120, so they meet every phase
            of the loop)

Everything on loopback: alexis-sim, the classifier, the action handler in
development mode (the ActionStart line is logged, nothing is executed:
this measures the pipeline, not SSH) and the poller, with one rule that
every alert matches. Alerts are created one at a time, --gap-ms apart
(the 60 s case: spread as above), so the numbers are latency, not
queueing. Bounded: every wait has a deadline.

Usage: bench/ttr_bench.py [--alerts 200] [--gap-ms 25] [--spread-60 120]
           [--only webhook,poll_1s,poll_60s] [--json]
Needs a build in build/ (scripts/build.sh) or ALEXIS_BIN.
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import (LOOPBACK_LISTENER, OgPipeline,  # noqa: E402
                     TempDir, log_time, og_feed, wait_until)

SECRET = "bench-webhook-secret-0123456789abcdef"
FEED = "og_bench"
RULE = {
    "enabled": "true", "os_type": "linux", "rule_name": "bench_gc",
    "rule_description": "every bench alert", "rule_version": "1.00",
    "alert_feed": "OpsGenie",
    "evaluation_list": [{"evaluation": {
        "tags": ["env.prod"], "search_key": "message",
        "search_text": "Long garbage-collection time", "duration": "0m",
        "task_type": "run_command"}}],
    "task_list": [{"task": {
        "task_type": "remote_ssh", "run_command": "true",
        "action": "restart_service", "action_reason": "bench"}}],
    "entity_type": "keyvalue", "entity_keyvalue": ["details", "host"],
    "route_to_team": "payments_oncall",
}


def pctl(values, p):
    v = sorted(values)
    if not v:
        return None
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def start_stack(loop, webhooks, tmp):
    """The pipeline (the action handler in development mode) with the
    rule; webhooks: the poller listens and the simulator POSTs Create
    webhooks to it."""
    tmp.write("rules/bench_gc.json", json.dumps(RULE))
    tmp.write("secrets/og_webhook", SECRET + "\n", 0o600)
    p = OgPipeline(tmp, ("development: true",), og_feed(
        FEED, individual_url=False,
        webhook_secret_file="secrets/og_webhook" if webhooks else None),
        ["loop_interval: %s" % loop] + ([LOOPBACK_LISTENER] if webhooks
                                        else []),
        poller_listens=webhooks)
    if webhooks:
        try:
            p.sim.add_webhook("opsgenie", "%s/v1/webhook/%s" % (
                p.po_url, FEED), SECRET)
        except BaseException:
            p.stop()
            raise
    p.first_pass()
    return p


def run_case(name, loop, webhooks, n, gap_s, deadline_s):
    tmp = TempDir(prefix="alexis-ttr-")
    stack = start_stack(loop, webhooks, tmp)
    created = {}
    try:
        t_end = time.monotonic() + deadline_s
        for i in range(n):
            a = stack.sim.add_alerts({
                "message": "Long garbage-collection time %d" % i,
                "tags": ["env.prod"], "details": {"host": "ledger-%d" % i},
                "teams": [{"name": "payments_incoming"}]})
            created[a["tinyId"]] = a["createdAtMs"]
            time.sleep(gap_s)
        ah = stack.proc("action_handler")

        def all_started():
            return len({e.get("tinyId") for e in ah.events("ActionStart")}
                       & set(created)) >= n
        wait_until(all_started, max(10.0, t_end - time.monotonic()),
                   "%s: ActionStart for all %d alerts" % (name, n),
                   interval=0.2)
        ttr = {}
        for e in ah.events("ActionStart"):
            t = e.get("tinyId")
            if t in created and t not in ttr:
                ttr[t] = round(log_time(e["ts"]) * 1000) - created[t]
        po = stack.proc("poller")
        triggers = {}
        for e in po.events("item_delivered"):
            triggers[e.get("trigger", "poll")] = \
                triggers.get(e.get("trigger", "poll"), 0) + 1
        return {"case": name, "alerts": n, "p50_ms": pctl(ttr.values(), 50),
                "p99_ms": pctl(ttr.values(), 99),
                "max_ms": max(ttr.values()), "min_ms": min(ttr.values()),
                "forwarded_by": triggers,
                "actions": len(ah.events("ActionStart"))}
    finally:
        stack.stop()
        tmp.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=200)
    ap.add_argument("--gap-ms", type=int, default=25)
    ap.add_argument("--spread-60", type=float, default=120.0)
    ap.add_argument("--only", default="webhook,poll_1s,poll_60s")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    cases = {
        "webhook": ("1h", True, args.gap_ms / 1000.0, 120),
        "poll_1s": ("1", False, args.gap_ms / 1000.0, 120),
        "poll_60s": ("60", False, args.spread_60 / args.alerts,
                     args.spread_60 + 180),
    }
    out = []
    for name in args.only.split(","):
        loop, hooks, gap, deadline = cases[name]
        r = run_case(name, loop, hooks, args.alerts, gap, deadline)
        out.append(r)
        if not args.json:
            print("%-9s alerts=%d p50=%d ms p99=%d ms min=%d ms max=%d ms "
                  "forwarded_by=%s actions=%d" % (
                      r["case"], r["alerts"], r["p50_ms"], r["p99_ms"],
                      r["min_ms"], r["max_ms"], r["forwarded_by"],
                      r["actions"]), flush=True)
    if args.json:
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
