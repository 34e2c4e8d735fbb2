"""The test that proves the product (issue 4): alexis-sim, a real sshd, the
action handler, the classifier and the poller, all on loopback with
generated keys, tokens and configs (the demo's orchestration, with task
commands that leave trace files instead of echoing).

1. an OpsGenie alert matching a rule -> within two poll loops its command
   ran exactly once on the sshd host, and the alert has the remediation
   queue team, a note with the exit status and output, and route_to_team;
2. an alert matching no rule -> the investigation queue team, nothing runs;
3. a Dynatrace v2 problem matching a rule -> comments (matched, result), the
   command ran once;
4. several more loops -> nothing runs twice;
5. 429s and a 500 injected on the list call -> the loop still completes and
   a new alert is still remediated.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "demo"))
from harness import BIN, TempDir, file_lines, wait_until  # noqa: E402
from demo import Demo  # noqa: E402

DT_PROBLEM = "-4417200931562209843_1763805540000V2"
WAIT_S = 30.0


def until(cond, what, timeout=WAIT_S):
    """wait_until at this test's pace (each check asks the simulator)."""
    wait_until(cond, timeout, what, interval=0.1)


class TestEndToEnd(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.traces = self.tmp.join("traces")
        os.makedirs(self.traces)
        traces = self.traces

        def command(rule, task):
            # The rule name goes in as data we wrote ourselves; still
            # quoted, as alert content never is.
            name = rule["rule_name"]
            return ("echo \"$(date +%%s.%%N)\" >> '%s/%s.trace' && "
                    "echo done-%s" % (traces, name, name))

        self.demo = Demo(BIN, self.tmp.join("run"), command=command,
                         loop_interval=1)
        self.demo.setup()

    def tearDown(self):
        self.demo.stop_all()
        self.tmp.cleanup()

    def trace(self, rule):
        return file_lines(os.path.join(self.traces, rule + ".trace"))

    def polls(self, feed):
        return len(self.demo.po.events("poll_finished", feed_name=feed))

    def jobs(self):
        return self.demo.jobs()

    def test_the_whole_loop(self):
        d = self.demo
        og_feed = "OpsGenie_payments_open"

        # 1. A matching OpsGenie alert.
        until(lambda: "payments_oncall" in d.teams(d.og("5120")),
              "alert 5120 routed to payments_oncall")
        delivered = d.po.events("item_delivered", tinyId="5120")[0]
        loops_before = [e for e in d.po.events("poll_started",
                                               feed_name=og_feed)
                        if e["ts"] <= delivered["ts"]]
        self.assertLessEqual(len(loops_before), 2)
        self.assertEqual(len(self.trace("ledger_gc_restart")), 1)
        a = d.og("5120")
        self.assertIn("queue_autoremediation", d.teams(a))
        notes = "\n".join(n["note"] for n in a.get("notes", []))
        self.assertIn("exit status 0", notes)
        self.assertIn("done-ledger_gc_restart", notes)

        # 2. An alert no rule matches.
        until(lambda: "queue_needsinvestigation" in d.teams(d.og("5122")),
              "alert 5122 routed to the investigation queue")
        self.assertNotIn("5122", [j.get("alert_id") for j in self.jobs()])

        # 3. A Dynatrace v2 problem.
        until(lambda: len(d.dt(DT_PROBLEM).get("comments", [])) >= 2,
              "two comments on the Dynatrace problem")
        comments = [c["content"] for c in d.dt(DT_PROBLEM)["comments"]]
        self.assertTrue(any("rule dt_memory_saturation_dropcaches matched"
                            in c for c in comments), comments)
        self.assertTrue(any("exit status 0" in c and
                            "done-dt_memory_saturation_dropcaches" in c
                            for c in comments), comments)
        self.assertTrue(all(c.get("context") == "Alexis"
                            for c in d.dt(DT_PROBLEM)["comments"]))
        self.assertEqual(len(self.trace("dt_memory_saturation_dropcaches")),
                         1)

        # 4. Several more loops: nothing runs twice.
        n_jobs = len(self.jobs())
        start = self.polls(og_feed)
        until(lambda: self.polls(og_feed) >= start + 3,
              "three more poll loops")
        self.assertEqual(len(self.trace("ledger_gc_restart")), 1)
        self.assertEqual(len(self.trace("db_var_journal_vacuum")), 1)
        self.assertEqual(len(self.trace("dt_memory_saturation_dropcaches")),
                         1)
        self.assertEqual(len(self.jobs()), n_jobs)
        # The alert already routed in the seed (5123) and the closed one
        # (5124) match the gc rule's text but are never picked up.
        ids = [j.get("alert_id") for j in self.jobs()]
        self.assertNotIn("5123", ids)
        self.assertNotIn("5124", ids)

        # 5. 429s and a 500 on the list call; a new alert still gets fixed.
        st, body = d.sim.admin("POST", "faults", [
            {"endpoint": "og.list", "kind": "429", "count": 2,
             "retryAfterSec": 1},
            {"endpoint": "og.list", "kind": "error", "status": 500,
             "count": 1}])
        self.assertIn(st, (200, 201), body)
        tiny = d.sim.add_alerts({
            "message": "[Dynatrace] Long garbage-collection time on ledger",
            "tags": ["env.prod", "svc.ledger"],
            "teams": [{"name": "payments_incoming"}],
            "details": {"host": d.host}})["tinyId"]
        until(lambda: "payments_oncall" in d.teams(d.og(tiny)),
              "the new alert remediated despite the faults", 60)
        self.assertEqual(len(self.trace("ledger_gc_restart")), 2)
        ogl = d.sim.stats()["endpoints"]["og.list"]
        self.assertGreaterEqual(ogl["429"], 2, ogl)
        self.assertGreaterEqual(ogl["5xx"], 1, ogl)
        finished = d.po.events("poll_finished", feed_name=og_feed)
        self.assertEqual(finished[-1].get("result"), "ok", finished[-1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
