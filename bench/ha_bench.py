#!/usr/bin/env python3
"""Action handler replicas on PostgreSQL under chaos, and the job accept
rate on PostgreSQL against SQLite, in one run (issue 14; numbers in
docs/PERFORMANCE.md). A benchmark, not a test: it prints what it saw.

Chaos: a real PostgreSQL (tests/integration/pg.py) and a real sshd; three
action handlers on one database (job_lease 2s, 4 workers each); --jobs
jobs, each its own rule whose command appends one line naming the job's
rule to a file on this host; requests spread over the replicas (a refused
or cut request is retried on another, as a client would); every
--kill-every seconds one replica, chosen at random, is killed with -9 and
started again. At the end, from the trace file and the database:
accepted, run once, interrupted (ran 0 or 1 time), lost (accepted, never
finished or vanished: must be 0), run twice (a rule's line twice: must be
0).

Accept rate: one action handler in development mode (dry run: stored and
reported, no SSH) on SQLite, then on PostgreSQL (same server), then three
replicas on one PostgreSQL database, --accept POST /v1/action each with
its own alert, from 8 client threads on keep-alive connections (spread
over the replicas); requests per second, and PostgreSQL / SQLite.

    python3 bench/ha_bench.py [--bin build/bin] [--jobs 1000]
        [--kill-every 3] [--accept 2000] [--login-user NAME]

--login-user (root only): as in action_handler_bench.py, the SSH sessions
run as a throwaway /bin/sh user, so a heavy ~/.bashrc is not measured
1,000 times over.
"""
import argparse
import http.client as httplib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, HERE)
from action_handler_bench import login_user  # noqa: E402
from harness import (Sink, TempDir, auth_yaml, fixture_envelope,  # noqa
                     action_handler_yaml, http, start_daemon)
from pg import Postgres  # noqa: E402
from sshd import Sshd  # noqa: E402

TOKEN = "bench-token-ha-7788"
TERMINAL = ("succeeded", "failed", "partial", "interrupted")
CLIENTS = 8


def envelope(sink_url, unique, rule_name):
    """The test fixture's OpsGenie alert as alert unique, for rule_name."""
    doc = fixture_envelope(sink_url, unique=unique)
    doc["rule"] = {"rule_name": rule_name}
    return doc


def rule(name, command, entity):
    return {"enabled": "true", "os_type": "linux", "rule_name": name,
            "alert_feed": "opsgenie", "rule_version": "1",
            "evaluation_list": [{"evaluation": {"tags": [],
                                                "search_key": "message",
                                                "search_text": "."}}],
            "entity_type": "explicit", "entities": [entity],
            "task_list": [{"task": {"task_type": "remote_ssh",
                                    "run_command": command,
                                    "action": "bench",
                                    "action_reason": "bench"}}]}


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = TempDir(prefix="alexis-ha-bench-")
        os.chmod(self.tmp.path, 0o755)
        self.sink = Sink()
        self.tmp.write_tokens([("bench", TOKEN, "p", "b")],
                              ("ah", "runtime", "p", "b"))
        self.tmp.write("secrets/og", "k\n", mode=0o600)

    def config(self, name, store, extra=""):
        return self.tmp.write(name, "\n" + auth_yaml(self.sink.url, og={
            "api_key_file": "secrets/og"}) + action_handler_yaml(
                "ssh_key: '%s'" % self.key, "ssh_user: '%s'" % self.user,
                "known_hosts: '%s'" % self.kh, "workers: 4",
                "connect_timeout: 5s", "command_timeout: 30s",
                "job_store: '%s'" % store,
                "job_store_password_file: '%s'" % self.pg.password_file,
                "job_lease: 2s", "queue_max: 100000",
                "client_max_jobs: 100000", extra, rules_dir=self.rules,
                db_path=None, tokens=("clients.json", "runtime.json")))

    # ---- chaos ----

    def post_retrying(self, urls, i, unique, rule_name):
        """POST until some replica answers 200/202; returns the job id."""
        body = json.dumps(envelope(self.sink.url, unique, rule_name))
        for attempt in range(60):
            url = urls[(i + attempt) % len(urls)]
            try:
                st, text, _ = http("POST", url[0] + "/v1/action", body,
                                   {"Authorization": "Bearer " + TOKEN},
                                   timeout=20)
            except (OSError, urllib.error.URLError,
                    httplib.HTTPException):
                st, text = 0, ""
            if st in (200, 202):
                return json.loads(text)["job"]
            time.sleep(0.2)     # the replica is being restarted
        raise SystemExit("job %s never accepted" % unique)

    def chaos(self):
        a = self.a
        n = a.jobs
        traces = self.tmp.join("traces")
        os.makedirs(traces)
        os.chmod(traces, 0o777)
        trace = os.path.join(traces, "chaos")
        with open(trace, "w"):
            pass
        os.chmod(trace, 0o666)
        names = ["chaos_%04d" % i for i in range(n)]
        entity = "127.0.0.1:%d" % self.sshd.port
        for name in names:
            self.tmp.write("rules/%s.json" % name, json.dumps(
                rule(name, "echo %s >> %s" % (name, trace), entity)))
        db = self.pg.create_db("chaos")
        conf = self.config("chaos.yaml", self.pg.uri(db))
        procs = [None] * a.replicas
        urls = [[None] for _ in range(a.replicas)]
        lock = threading.Lock()
        starts = [0]

        def start(i):
            starts[0] += 1
            p, url = start_daemon([os.path.join(a.bin,
                                                "alexis-action-handler"),
                                   "--config", conf],
                                  self.tmp.join("ah%d-%d.log" %
                                                (i, starts[0])), timeout=60)
            procs[i] = p
            urls[i][0] = url

        for i in range(a.replicas):
            start(i)
        done = threading.Event()
        kills = [0]

        def killer():
            while not done.wait(a.kill_every):
                i = random.randrange(a.replicas)
                with lock:
                    os.kill(procs[i].pid, signal.SIGKILL)
                    procs[i].wait_exit()
                    procs[i].logf.close()
                    kills[0] += 1
                    start(i)

        kt = threading.Thread(target=killer, daemon=True)
        t0 = time.monotonic()
        kt.start()
        jobs = {}
        nxt = [0]

        def submit():
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= n:
                    return
                job = self.post_retrying(urls, i, str(100000 + i), names[i])
                with lock:
                    jobs[names[i]] = job

        ts = [threading.Thread(target=submit) for _ in range(CLIENTS)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        t_accept = time.monotonic() - t0
        deadline = time.monotonic() + a.settle
        while time.monotonic() < deadline:
            rows = self.pg.sql("SELECT count(*) FROM jobs WHERE state NOT IN "
                               "('succeeded','failed','partial',"
                               "'interrupted')", db)
            if rows == [["0"]]:
                break
            time.sleep(1)
        t_all = time.monotonic() - t0
        done.set()
        kt.join()
        for p in procs:
            p.stop()
        states = dict((r[0], r[1]) for r in self.pg.sql(
            "SELECT rule_name, state FROM jobs", db))
        with open(trace) as f:
            ran = {}
            for line in f:
                ran[line.strip()] = ran.get(line.strip(), 0) + 1
        res = {"accepted": len(jobs), "kills": kills[0],
               "run_once": 0, "interrupted": 0, "interrupted_ran": 0,
               "failed": 0, "lost": 0, "run_twice": 0,
               "accept_s": round(t_accept, 1), "all_done_s": round(t_all, 1)}
        for name in jobs:
            st, k = states.get(name), ran.get(name, 0)
            if k >= 2:
                res["run_twice"] += 1
            if st not in TERMINAL:
                res["lost"] += 1
            elif st == "succeeded" and k == 1:
                res["run_once"] += 1
            elif st == "succeeded":
                res["lost"] += 1        # claimed success, never ran
            elif st == "interrupted":
                res["interrupted"] += 1
                res["interrupted_ran"] += k
            else:
                res["failed"] += 1
        res["jobs_in_db"] = len(states)
        return res

    # ---- accept rate ----

    def accept(self, store, label, replicas=1):
        a = self.a
        conf = self.config("acc_%s.yaml" % label, store,
                           "  development: 'true'\n")
        procs, addrs = [], []
        for i in range(replicas):
            p, url = start_daemon([os.path.join(a.bin,
                                                "alexis-action-handler"),
                                   "--config", conf],
                                  self.tmp.join("acc_%s%d.log" % (label, i)),
                                  timeout=60)
            procs.append(p)
            addrs.append(url.rsplit("/", 1)[1].split(":"))
        nxt = [0]
        lock = threading.Lock()
        bad = [0]

        def client(k):
            host, port = addrs[k % len(addrs)]
            c = httplib.HTTPConnection(host, int(port), timeout=30)
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= a.accept:
                    break
                body = json.dumps(envelope(self.sink.url,
                                           "%s-%d" % (label, i), "acc"))
                c.request("POST", "/v1/action", body,
                          {"Authorization": "Bearer " + TOKEN,
                           "Content-Type": "application/json"})
                r = c.getresponse()
                r.read()
                if r.status != 202:
                    bad[0] += 1
            c.close()

        ts = [threading.Thread(target=client, args=(k,))
              for k in range(CLIENTS)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        el = time.monotonic() - t0
        for p in procs:
            p.stop()
        return {"requests": a.accept, "not_202": bad[0],
                "seconds": round(el, 2), "per_s": round(a.accept / el, 1)}

    def run(self):
        a = self.a
        self.pg = Postgres().start()
        self.sshd = Sshd()
        self.sshd.start()
        try:
            self.user = a.login_user or self.sshd.user
            if a.login_user is not None:
                os.chmod(self.sshd.path(""), 0o755)
                os.chmod(self.sshd.path("authorized_keys"), 0o644)
            self.key = self.sshd.user_key("ed25519")
            self.kh = self.sshd.known_hosts("bracket")
            self.rules = self.tmp.join("rules")
            os.makedirs(self.rules)
            self.tmp.write("rules/acc.json", json.dumps(
                rule("acc", "true", "127.0.0.1:%d" % self.sshd.port)))
            out = {}
            out["accept_sqlite"] = self.accept(
                "sqlite://" + self.tmp.join("acc.db"), "sqlite")
            out["accept_postgresql"] = self.accept(
                self.pg.uri(self.pg.create_db("acc")), "pg")
            out["accept_postgresql_3_replicas"] = self.accept(
                self.pg.uri(self.pg.create_db("acc3")), "pg3", replicas=3)
            out["accept_ratio_pg_over_sqlite"] = round(
                out["accept_postgresql"]["per_s"] /
                out["accept_sqlite"]["per_s"], 2)
            out["chaos"] = self.chaos()
            print(json.dumps(out, indent=2))
            ok = out["chaos"]["lost"] == 0 and out["chaos"]["run_twice"] == 0
            return 0 if ok else 1
        finally:
            self.sshd.cleanup()
            self.pg.cleanup()
            self.sink.close()
            self.tmp.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build",
                                                  "bin"))
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--replicas", type=int, default=3)
    ap.add_argument("--kill-every", type=float, default=3.0)
    ap.add_argument("--accept", type=int, default=2000)
    ap.add_argument("--settle", type=float, default=600.0)
    ap.add_argument("--login-user", default=None)
    a = ap.parse_args()
    created = a.login_user is not None and login_user(a.login_user)
    try:
        return Bench(a).run()
    finally:
        if created:
            subprocess.run(["userdel", a.login_user], check=False)


if __name__ == "__main__":
    sys.exit(main())
