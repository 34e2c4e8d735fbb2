#!/usr/bin/env python3
"""Idle memory of each daemon (issue 10; not a timed test).

Starts alexis-sim, the action handler (SSH key and known_hosts, SQLite job
store), the classifier and the poller (webhook listener on, one OpsGenie
feed) on loopback with typical configs, waits for each one's readiness
(its listening line; the poller's first finished pass), then sends one
alert through the whole pipeline (sim -> poller -> classifier -> action
handler, whose SSH attempt to a closed loopback port fails) so that the
libraries of the hot path have been used, waits until it is done and
--idle seconds more, and reads VmRSS (with RssAnon and RssFile) from
/proc/<pid>/status. The references, read in the same run: a trivial C
process (/bin/sleep), and alexis-rss-floor, which loads the daemons'
libraries (libcurl with its dependencies, libmicrohttpd with GnuTLS,
libyaml, cJSON, PCRE2, libcrypto) and calls curl_global_init, with none
of our code: what any daemon built on these Debian libraries starts
from; then the action handler's own libraries (SQLite, libpq) too; then
SQLite doing the least a job store does (a WAL database file, a table, a
row written in a transaction and read back). The target is 10 MB per
daemon. Every process is stopped by its pid.

Usage: bench/rss_bench.py [--idle 2] [--json]
Needs a build in build/ (scripts/build.sh) or ALEXIS_BIN.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import (BIN, LOOPBACK_LISTENER, OgPipeline,  # noqa: E402
                     TempDir, free_port, og_feed, wait_until)
from sshd import keygen  # noqa: E402

TARGET_KB = 10 * 1024
SECRET = "bench-webhook-secret-0123456789abcdef"
FEED = "og_rss"
RULE = {
    "enabled": "true", "os_type": "linux", "rule_name": "rss_gc",
    "rule_description": "every bench alert", "rule_version": "1.00",
    "alert_feed": "OpsGenie",
    "evaluation_list": [{"evaluation": {
        "tags": ["env.prod"], "search_key": "message",
        "search_text": "Long garbage-collection time"}}],
    "task_list": [{"task": {
        "task_type": "remote_ssh", "run_command": "true",
        "action": "restart_service", "action_reason": "bench"}}],
    "entity_type": "explicit",
}


def status(pid):
    """VmRSS, RssAnon, RssFile (kB) of pid."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                out[k] = int(v.split()[0])
    return out


def start_stack(tmp):
    """The pipeline, with an SSH key, known_hosts for a loopback port no
    host listens on (the job's connection fails at once) and the rule."""
    keygen(tmp.join("ssh_key"), "ed25519")
    ssh_port = free_port()
    tmp.write("known_hosts", "[127.0.0.1]:%d ssh-ed25519 "
              "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0"
              "dh2l9GKJl\n" % ssh_port)
    tmp.write("rules/rss_gc.json", json.dumps(dict(
        RULE, entities=["127.0.0.1:%d" % ssh_port])))
    tmp.write("secrets/og_webhook", SECRET + "\n", 0o600)
    p = OgPipeline(tmp, ("ssh_user: alexis", "ssh_key: ssh_key",
                         "known_hosts: known_hosts", "connect_timeout: 2s"),
                   og_feed(FEED, teams=None, individual_url=False,
                           webhook_secret_file="secrets/og_webhook"),
                   ("loop_interval: 1", LOOPBACK_LISTENER))
    p.first_pass()
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=float, default=2.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = TempDir(prefix="alexis-rss-")
    stack = None
    sleeper = subprocess.Popen(["/bin/sleep", "600"])
    try:
        stack = start_stack(tmp)
        stack.sim.add_alerts({
            "message": "Long garbage-collection time on ledger-worker",
            "tags": ["env.prod"]})
        wait_until(lambda: stack.proc("action_handler").events(
            "job_finished"), 60, "the alert's job to finish")
        time.sleep(args.idle)   # idle time is what is measured
        if os.environ.get("RSS_HOLD"):
            print({n: p.p.pid for p, n in stack.procs}, flush=True)
            time.sleep(float(os.environ["RSS_HOLD"]))
        os.makedirs(tmp.join("floor"))
        floor = json.loads(subprocess.run(
            [os.path.join(BIN, "alexis-rss-floor"), tmp.join("floor")],
            check=True, stdout=subprocess.PIPE).stdout)
        rows = [("/bin/sleep (floor)", status(sleeper.pid)),
                ("libraries loaded", floor["loaded"]),
                ("+ curl_global_init", floor["curl_init"]),
                ("+ the action handler's", floor["ah_libs"]),
                ("+ a SQLite store at work", floor["ah_store"])]
        for name in ("classifier", "action_handler", "poller", "sim"):
            rows.append(("alexis-" + name.replace("_", "-"),
                         status(stack.proc(name).p.pid)))
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        if args.json:
            print(json.dumps({"load": load, "target_kb": TARGET_KB,
                              "rows": dict(rows)}))
            return
        print("load average %s; target %d kB per daemon" % (load, TARGET_KB))
        print("%-24s %8s %8s %8s %7s %6s" % ("process", "VmRSS", "RssAnon",
                                            "RssFile", "threads", "target"))
        for name, s in rows:
            ok = "" if not name.startswith("alexis") else (
                "met" if s["VmRSS"] <= TARGET_KB else "over")
            print("%-24s %6d kB %5d kB %5d kB %7s %6s" % (
                name, s["VmRSS"], s["RssAnon"], s["RssFile"],
                s.get("Threads", ""), ok))
    finally:
        if stack is not None:
            stack.stop()
        sleeper.terminate()
        sleeper.wait(timeout=10)
        tmp.cleanup()


if __name__ == "__main__":
    main()
