"""Jira Service Management end to end (issue 12): alexis-sim in JSM mode, a
real sshd, the action handler, the classifier and the poller on loopback,
with a jsm authentication entry (HTTP Basic email:token), a jsm feed and a
rule ported from OpsGenie by changing alert_feed only (details.host finds
extraProperties.host).

1. a matching JSM alert -> its command ran once on the sshd host; the
   alert has the queue_autoremediation tag, the mapped responder team, a
   note with the exit status and output, and the route_to_team tag;
2. an alert no rule matches -> the queue_needsinvestigation tag, no job;
3. an alert already tagged, and a closed one, are never picked up;
4. more loops -> nothing runs twice;
5. 429s on the list call, with and without Retry-After, and 500s on the
   details call past the retries -> the loop still completes, the 500 is
   logged in the API's words, and a new alert is still remediated;
6. wrong credentials -> the poll fails with JSM's 401 message, and the
   token appears in no log.
"""
import json
import os
import shutil
import sys
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import (SRC, Pipeline, TempDir, file_lines,  # noqa: E402
                     gen_tokens,
                     run_check, wait_until, JSM_CLOUD_ID, JSM_EMAIL,
                     JSM_TOKEN)
from sshd import Sshd, keygen  # noqa: E402

WAIT_S = 45.0
TEAM_ID = "7c1f2e9a-payments-oncall"


def until(cond, what, timeout=WAIT_S):
    wait_until(cond, timeout, what, interval=0.1)


class TestJsm(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.sshd = Sshd(addresses=("127.0.0.1",))
        self.sshd.start()
        self.host = "127.0.0.1:%d" % self.sshd.port
        self.traces = self.tmp.join("traces")
        os.makedirs(self.traces)
        os.makedirs(self.tmp.join("logs"))
        self.daemons = Pipeline(self.tmp, log_dir=self.tmp.join("logs"))
        self.tmp.write("known_hosts",
                       self.sshd.known_hosts_line(host="127.0.0.1") + "\n")
        self.tmp.write("secrets/jsm_token", JSM_TOKEN + "\n", 0o600)
        self.tmp.write("secrets/wrong_token", "not-the-token\n", 0o600)
        self.write_rules()
        self.daemons.start_sim()
        self.sim_url = self.daemons.sim_url
        self.sim = self.daemons.sim
        self.sim.timeout = 30

    def tearDown(self):
        self.daemons.stop()
        self.sshd.cleanup()
        self.tmp.cleanup()

    def write_rules(self):
        trace = os.path.join(self.traces, "jsm_ledger_gc_restart.trace")
        rule = {
            "rule_name": "jsm_ledger_gc_restart",
            "rule_description": "the OpsGenie rule with alert_feed jsm",
            "alert_feed": "jsm",
            "enabled": "true",
            "os_type": "linux",
            "evaluation_list": [{"evaluation": {
                "tags": ["svc.ledger"], "search_key": "message",
                "search_text": "garbage-collection"}}],
            "task_list": [{"task": {
                "task_type": "remote_ssh", "action": "restart_ledger",
                "action_reason": "long GC pauses",
                "run_command": "echo x >> '%s' && echo done-ledger" % trace}}],
            "entity_type": "keyvalue",
            "entity_keyvalue": ["details", "host"],
            "route_to_team": "payments_oncall",
        }
        self.tmp.write("rules/jsm_ledger_gc_restart.json",
                       json.dumps(rule, indent=1))

    def auth(self, token_file="secrets/jsm_token"):
        return textwrap.dedent("""\
            authentication_list:
              - name: jsm_demo
                type: jsm
                base_url: '%s'
                cloud_id: '%s'
                email: '%s'
                api_token_file: %s
                teams: {payments_oncall: '%s'}
            """) % (self.sim_url, JSM_CLOUD_ID, JSM_EMAIL, token_file,
                    TEAM_ID)

    def start_daemons(self, token_file="secrets/jsm_token"):
        confs = self.daemons.start_daemons(
            ["ssh_user: '%s'" % self.sshd.user,
             "ssh_key: '%s'" % self.sshd.user_key("ed25519"),
             "known_hosts: known_hosts"],
            [textwrap.indent(textwrap.dedent("""\
                - name: JSM_payments_open
                  authentication: jsm_demo
                  type: jsm
                  query: 'status: open AND tag: svc.ledger'
                  lookback: 4
                  lookback_unit: h
                """), "    ")], ["loop_interval: 1", "max_retries: 3"],
            poller_listens=False, sources=("jsm",),
            auth=self.auth(token_file))
        for conf, binary in zip(confs, ("alexis-action-handler",
                                        "alexis-classifier",
                                        "alexis-poller")):
            rc, out = run_check(binary, conf)
            self.assertEqual(rc, 0, out)
        self.ah, self.cl, self.po = (self.daemons.ah, self.daemons.cl,
                                     self.daemons.po)

    def alert(self, key):
        return self.sim.jsm_alert(key)

    def trace(self):
        return file_lines(os.path.join(self.traces,
                                       "jsm_ledger_gc_restart.trace"))

    def polls(self):
        return len(self.po.events("poll_finished",
                                  feed_name="JSM_payments_open"))

    def gc_alert(self, **extra):
        a = {"message": "[Dynatrace] Long garbage-collection time on ledger",
             "tags": ["svc.ledger", "env.prod"],
             "extraProperties": {"host": self.host}}
        a.update(extra)
        return a

    def test_the_whole_loop(self):
        seeded = self.sim.add_jsm_alerts([
            self.gc_alert(),
            {"message": "Disk almost full on ledger", "tags": ["svc.ledger"],
             "extraProperties": {"host": self.host}},
            self.gc_alert(tags=["svc.ledger", "queue_autoremediation"]),
            self.gc_alert(status="closed"),
        ])
        a, b, handled, closed = seeded
        self.start_daemons()

        # 1. The matching alert.
        until(lambda: "payments_oncall" in self.alert(a["id"])["tags"],
              "the alert routed to payments_oncall")
        self.assertEqual(len(self.trace()), 1)
        got = self.alert(a["id"])
        self.assertIn("queue_autoremediation", got["tags"])
        self.assertIn({"id": TEAM_ID, "type": "team"}, got["responders"])
        notes = "\n".join(n["note"] for n in got.get("notes", []))
        self.assertIn("rule jsm_ledger_gc_restart matched", notes)
        self.assertIn("exit status 0", notes)
        self.assertIn("done-ledger", notes)
        delivered = self.po.events("item_delivered", alert_id=a["id"])
        self.assertEqual(len(delivered), 1)
        self.assertTrue(self.cl.events("classification_started",
                                       tinyId=a["tinyId"]))
        self.assertTrue(self.ah.events("ticket_noted", tinyId=a["tinyId"]))

        # 2. No rule matches: the investigation tag, no job.
        until(lambda: "queue_needsinvestigation" in
              self.alert(b["id"])["tags"], "the other alert investigated")

        # 3 and 4. More loops: the tagged and the closed alert are never
        # offered, nothing is offered or run twice.
        start = self.polls()
        until(lambda: self.polls() >= start + 3, "three more poll loops")
        self.assertEqual(len(self.trace()), 1)
        for x in (handled, closed):
            self.assertFalse(self.po.events("item_delivered",
                                            alert_id=x["id"]), x["id"])
        self.assertEqual(len(self.po.events("item_delivered",
                                            alert_id=a["id"])), 1)
        self.assertEqual(len(self.po.events("item_delivered",
                                            alert_id=b["id"])), 1)

        # 5. 429s with and without Retry-After, a 500 with JSM's error body.
        st, body = self.sim.admin("POST", "faults", [
            {"endpoint": "jsm.list", "kind": "429", "count": 1,
             "retryAfterSec": 1},
            {"endpoint": "jsm.list", "kind": "429", "count": 1,
             "retryAfterSec": 0},
            {"endpoint": "jsm.get", "kind": "error", "status": 500,
             "count": 4}])
        self.assertIn(st, (200, 201), body)
        new = self.sim.add_jsm_alerts([self.gc_alert()])[0]
        until(lambda: "payments_oncall" in self.alert(new["id"])["tags"],
              "the new alert remediated despite the faults", 60)
        self.assertEqual(len(self.trace()), 2)
        stats = self.sim.stats()["endpoints"]
        self.assertGreaterEqual(stats["jsm.list"]["429"], 2, stats)
        failed = self.po.events("item_failed", stage="details")
        self.assertTrue(failed)
        self.assertIn("HTTP 500: ", failed[0]["error"])
        self.assertNotIn("{", failed[0]["error"])
        for log in ("poller", "classifier", "action_handler"):
            with open(self.tmp.join("logs", log + ".log")) as f:
                self.assertNotIn(JSM_TOKEN, f.read())

    def test_wrong_credentials(self):
        self.sim.add_jsm_alerts([self.gc_alert()])
        self.start_daemons(token_file="secrets/wrong_token")
        until(lambda: self.po.events("poll_failed",
                                     feed_name="JSM_payments_open"),
              "the poll failed")
        ev = self.po.events("poll_failed", feed_name="JSM_payments_open")[0]
        self.assertEqual(ev.get("status"), "401", ev)
        # JSM's 401 shape, {"code","message"}, in its own words.
        self.assertIn("HTTP 401: Client must be authenticated",
                      ev["error"])
        with open(self.tmp.join("logs", "poller.log")) as f:
            text = f.read()
        self.assertNotIn("not-the-token", text)
        self.assertNotIn("Basic ", text)


class TestJsmExample(unittest.TestCase):
    """conf/jsm/alexis.conf.yaml with rules/ passes every daemon's --check
    once tokens, the secret and the SSH key exist (as run.sh makes them);
    the JSM rule is rules/ledger_gc_restart.json with alert_feed changed."""

    def test_example_passes_check(self):
        tmp = TempDir()
        try:
            shutil.copytree(os.path.join(SRC, "conf", "jsm"),
                            tmp.join("conf", "jsm"))
            shutil.copytree(os.path.join(SRC, "rules"), tmp.join("rules"))
            gen_tokens(tmp.join("conf", "tokens"))
            tmp.write("conf/secrets/jsm_api_token", "t\n", mode=0o600)
            os.makedirs(tmp.join("keys"))
            keygen(tmp.join("keys", "alexis_ssh_key"), "ed25519")
            tmp.write("keys/known_hosts", "")
            for d in ("classifier", "action-handler", "poller"):
                rc, out = run_check("alexis-" + d, tmp.join(
                    "conf", "jsm", "alexis.conf.yaml"))
                self.assertEqual(rc, 0, "%s: %s" % (d, out))
                self.assertIn("configuration OK", out)
        finally:
            tmp.cleanup()
        with open(os.path.join(SRC, "rules", "ledger_gc_restart.json")) as f:
            og = json.load(f)
        with open(os.path.join(SRC, "rules",
                               "jsm_ledger_gc_restart.json")) as f:
            jsm = json.load(f)
        diff = {k for k in set(og) | set(jsm) if og.get(k) != jsm.get(k)}
        self.assertEqual(diff, {"alert_feed", "rule_name",
                                "rule_description"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
