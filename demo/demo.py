#!/usr/bin/env python3
"""The local demo: the whole Alexis loop on this machine, on loopback.

Starts alexis-sim (OpsGenie + Dynatrace, seeded from sim/seed/demo.json), a
real OpenSSH sshd with a freshly generated key pair and known_hosts, the
action handler, the classifier and the poller (listening for the
simulator's webhooks). The example rules/ are used as they are for
matching; only their commands are replaced by harmless
echoes (the demo's "hosts" are this machine's loopback sshd, and nobody
wants `systemctl restart` run on their laptop). The seeded alerts are
picked up by polling; then one new alert is created and arrives by webhook
(the simulator POSTs OpsGenie's Create payload to the poller). Then it
shows what happened and stops everything it started, by pid.

    python3 demo/demo.py [--keep-running] [--tls] [--bin build/bin]

With --tls (or ALEXIS_TLS=1 in the environment) the classifier and the
action handler serve HTTPS with certificates that scripts/gen-certs.sh
makes for this run, and the poller and the classifier verify them with
the run's CA (ca_file). Everything (configs, tokens, keys, certificates,
logs) is under run/demo-<time>/.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import (Pipeline, WorkDir, dt_feed, http,  # noqa: E402
                     log_time, loopback_listener, og_feed, parse_logfmt,
                     wait_until)
from sshd import Sshd  # noqa: E402

WAIT_S = 90
DT_PROBLEM = "-4417200931562209843_1763805540000V2"
WEBHOOK_SECRETS = {"opsgenie": "demo-opsgenie-webhook-secret-0123456789",
                   "dynatrace": "demo-dynatrace-webhook-secret-012345678"}
FEEDS = {"opsgenie": "OpsGenie_payments_open",
         "dynatrace": "Dynatrace_prod_open"}


def demo_command(rule, task):
    """The demo's stand-in for a task: say what would run, and where."""
    return ("echo %s; echo \"[demo] on $(uname -n) as $(id -un): "
            "load $(cut -d' ' -f1-3 /proc/loadavg)\"" %
            _shell_quote("[demo] would run: " + task["run_command"]))


class Demo(Pipeline):
    """The whole loop on loopback: the harness's Pipeline with the
    example rules, the demo seed and a real sshd. bin: the binaries;
    workdir: where configs, keys, tokens and logs go; command: (rule,
    task) -> the shell command that replaces the task's run_command (tests
    leave traces)."""

    def __init__(self, bin_dir, workdir, command=demo_command,
                 loop_interval=2, webhooks=False, tls=False):
        self.files = WorkDir(workdir)     # configs, keys, tokens, logs
        self.path, self.write = self.files.join, self.files.write
        os.makedirs(self.path("logs"))
        super().__init__(self.files, log_dir=self.path("logs"),
                         bin_dir=bin_dir, tls=tls)
        self.command = command
        self.loop_interval = loop_interval
        self.webhooks = webhooks    # the poller listens; the sim sends
        self.sshd = None

    def stop_all(self):
        self.stop()
        if self.sshd is not None:
            self.sshd.cleanup()
            self.sshd = None

    # ---- set-up --------------------------------------------------------
    def setup(self):
        """The sshd, the rules, the simulator, then the three daemons (and
        the simulator's webhooks to the poller). If any of it fails, what
        started is stopped and the error raised."""
        try:
            self._setup()
        except BaseException:
            self.stop_all()
            raise

    def _setup(self):
        for src, secret in WEBHOOK_SECRETS.items():
            self.write("secrets/%s_webhook_secret" % src, secret + "\n",
                       0o600)
        self.sshd = Sshd(addresses=("127.0.0.1",))
        self.sshd.start()
        self.host = "127.0.0.1:%d" % self.sshd.port
        self.write("ssh/known_hosts",
                   self.sshd.known_hosts_line(host="127.0.0.1") + "\n")
        self.write_rules()
        self.start_sim("--seed", self.seed())
        self.start_daemons(
            ["ssh_user: '%s'" % self.sshd.user,
             "ssh_key: '%s'" % self.sshd.user_key("ed25519"),
             "known_hosts: ssh/known_hosts"],
            [og_feed(FEEDS["opsgenie"], lookback=4,
                     webhook_secret_file=self.hook_file("opsgenie")),
             dt_feed(FEEDS["dynatrace"], individual_url=True,
                     webhook_secret_file=self.hook_file("dynatrace"))],
            ["loop_interval: %d" % self.loop_interval] +
            ([loopback_listener()] if self.webhooks else []),
            poller_listens=self.webhooks, sources=tuple(FEEDS))
        if self.webhooks:
            for src, feed in FEEDS.items():
                self.sim.add_webhook(src, "%s/v1/webhook/%s" % (
                    self.po_url, feed), WEBHOOK_SECRETS[src])

    def hook_file(self, source):
        """The feed's webhook secret file, None without webhooks."""
        if not self.webhooks:
            return None
        return "secrets/%s_webhook_secret" % source

    def write_rules(self):
        src = os.path.join(ROOT, "rules")
        for name in sorted(os.listdir(src)):
            with open(os.path.join(src, name)) as f:
                rule = json.load(f)
            for t in rule.get("task_list", []):
                task = t["task"]
                task["run_command"] = self.command(rule, task)
                task.pop("delay_after", None)
            if rule.get("entity_type") == "explicit":
                rule["entities"] = [self.host]
            self.write("rules/" + name, json.dumps(rule, indent=1) + "\n")

    def seed(self):
        with open(os.path.join(ROOT, "sim", "seed", "demo.json")) as f:
            seed = json.load(f)
        # Every alert's host is this machine's loopback sshd in the demo.
        for a in seed["opsgenie"]:
            for k in ("host", "host_regex"):
                if k in a.get("details", {}):
                    a["details"][k] = self.host
        return self.write("sim-seed.json", json.dumps(seed, indent=1))

    # ---- what happened -------------------------------------------------
    def og(self, tiny):
        """An alert's state in the simulator, {} if there is none."""
        st, doc = self.sim.admin("GET", "opsgenie/alerts/" + tiny)
        return doc.get("data", {}) if st == 200 else {}

    def dt(self, pid):
        """A problem's state in the simulator, {} if there is none."""
        st, doc = self.sim.admin("GET", "dynatrace/problems/" + pid)
        return doc.get("data", {}) if st == 200 else {}

    def teams(self, alert):
        return [t.get("name") for t in alert.get("teams", [])]

    def wait_done(self):
        """True once the seeded alerts and problem are handled, False after
        WAIT_S; exits if a daemon does."""
        def done():
            a, b = self.og("5120"), self.og("5121")
            p = self.dt(DT_PROBLEM)
            if ("payments_oncall" in self.teams(a) and
                    "dba_oncall" in self.teams(b) and
                    len(p.get("comments", [])) >= 2):
                return True
            for pr, _ in self.procs:
                if pr.p.poll() is not None:
                    raise SystemExit("demo: %s exited early; see %s" %
                                     (pr.args[0], pr.log_path))
            return False
        try:
            return wait_until(done, WAIT_S, "the demo alerts", interval=0.25)
        except AssertionError:
            return False

    def show(self):
        say = print
        say("\n=== What Alexis did ===")
        jobs = self.jobs()
        for tiny in ("5120", "5121"):
            a = self.og(tiny)
            say("\nOpsGenie alert %s: %s" % (tiny, a.get("message")))
            say("  teams now: %s" % ", ".join(self.teams(a)))
            for j in jobs:
                if j.get("alert_id") == tiny:
                    self.show_job(j["job"])
            for n in a.get("notes", []):
                say("  note on the ticket:")
                say(textwrap.indent(n.get("note", "").strip(), "    | "))
        for a in self.sim.admin("GET", "opsgenie/alerts")[1].get("data", []):
            if "queue_needsinvestigation" in self.teams(a):
                say("\nOpsGenie alert %s: %s\n  no rule matched -> team "
                    "queue_needsinvestigation" % (a.get("tinyId"),
                                                  a.get("message")))
        p = self.dt(DT_PROBLEM)
        say("\nDynatrace problem %s (%s): comments:" % (
            p.get("displayId", "?"), p.get("v2", {}).get("title", "?")))
        for c in p.get("comments", []):
            say("  comment (context %s):" % c.get("context"))
            say(textwrap.indent(c.get("content", "").strip(), "    | "))
        say("\n=== The key=value log lines for one alert "
            "(grep tinyId=5120 logs/*.log) ===")
        traced = [l for proc in (self.po, self.cl, self.ah)
                  for l in proc.lines() if "tinyId=5120 " in l + " "]
        for line in sorted(traced, key=lambda l: parse_logfmt(l).get("ts")):
            say(line)
        self.report()

    def webhook_delivery(self):
        """Create one more alert; the simulator's webhook brings it to the
        poller at once. Returns a few lines on how it went."""
        t0 = time.time()
        tiny = self.sim.add_alerts({
            "message": "[Dynatrace] Long garbage-collection time on "
                       "ledger-worker (webhook)",
            "tags": ["env.prod", "svc.ledger"],
            "teams": [{"name": "payments_incoming"}],
            "details": {"host": self.host}})["tinyId"]

        def started():
            ev = self.ah.events("ActionStart", tinyId=tiny)
            return ev[0] if ev else None
        try:
            start = wait_until(started, 30, "the webhook alert's action")
        except AssertionError:
            return ["alert %s: no ActionStart within 30 s" % tiny]
        got = self.po.events("item_delivered", tinyId=tiny)
        trigger = got[0].get("trigger", "?") if got else "?"
        return ["OpsGenie alert %s created; the simulator sent its webhook;"
                % tiny,
                "  the poller fetched and forwarded it (trigger=%s);"
                % trigger,
                "  ActionStart (rule %s) %d ms after the alert was created"
                % (start.get("rule_name"), (log_time(start["ts"]) - t0) * 1000)]

    def jobs(self):
        st, body, _ = http("GET", self.ah_url + "/v1/jobs?limit=20",
                           headers={"Authorization": "Bearer " +
                                    self.token("engineer.token.json")},
                           cafile=self.ca)
        return json.loads(body).get("jobs", []) if st == 200 else []

    def show_job(self, job):
        st, body, _ = http("GET", "%s/v1/jobs/%s" % (self.ah_url, job),
                           headers={"Authorization": "Bearer " +
                                    self.token("engineer.token.json")},
                           cafile=self.ca)
        if st != 200:
            return
        j = json.loads(body)
        print("  matched rule %s -> job %s: %s" % (j.get("rule_name"), job,
                                                  j.get("state")))
        for r in j.get("results", []):
            print("    %s on %s: exit %s in %s ms" % (
                r.get("action"), r.get("entity"), r.get("exit_status"),
                r.get("duration_ms")))
            print(textwrap.indent(r.get("stdout", "").rstrip(), "      > "))

    def report(self):
        rep = os.path.join(self.bin_dir, "alexis-report")
        if not os.path.exists(rep):
            return
        print("\n=== alexis-report summary ===")
        subprocess.run([rep, "summary"] + [self.path("logs", n + ".log")
                       for n in ("poller", "classifier", "action_handler")],
                       check=False)


def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--keep-running", action="store_true",
                    help="leave everything up for curl; Ctrl-C stops it")
    ap.add_argument("--tls", action="store_true",
                    default=os.environ.get("ALEXIS_TLS") == "1",
                    help="HTTPS between the daemons (also ALEXIS_TLS=1)")
    args = ap.parse_args()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    demo = Demo(args.bin, os.path.join(ROOT, "run", "demo-" + stamp),
                webhooks=True, tls=args.tls)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    ok = False
    try:
        print("demo: working directory %s" % demo.files.path)
        demo.setup()
        print("demo: sim %s, classifier %s, action handler %s, sshd %s" % (
            demo.sim_url, demo.cl_url, demo.ah_url, demo.host))
        print("demo: waiting for the poller to pick up the alerts...")
        ok = demo.wait_done()
        demo.show()
        if ok:
            print("\n=== A webhook delivery ===")
            for line in demo.webhook_delivery():
                print(line)
        if not ok:
            print("\ndemo: not everything finished within %d s; logs in %s"
                  % (WAIT_S, demo.path("logs")))
        if args.keep_running:
            ca = " --cacert %s" % demo.ca if demo.ca else ""
            print("\nEverything keeps running. Try:\n"
                  "  curl -s%s %s/v1/ping\n"
                  "  curl -s%s -H 'Authorization: Bearer %s' %s/v1/jobs\n"
                  "  curl -s %s/_admin/opsgenie/alerts/5120\n"
                  "Ctrl-C stops it." % (
                      ca, demo.cl_url, ca, demo.token("engineer.token.json"),
                      demo.ah_url, demo.sim_url))
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("\ndemo: interrupted")
        ok = ok or args.keep_running
    finally:
        demo.stop_all()
        print("demo: stopped everything it started; logs in %s" %
              demo.path("logs"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
