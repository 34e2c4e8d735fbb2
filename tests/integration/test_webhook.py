"""Integration tests of the poller's webhook intake (POST /v1/webhook/<feed>).

Each test starts its own alexis-sim (OpsGenie + Dynatrace), a harness.Sink
playing the classifier and the real poller with a listener on an ephemeral
port. Deliveries come from the simulator's own outgoing webhooks (it POSTs
the OpsGenie / Dynatrace payload when an alert or problem is created) or
are posted by the test. Waiting is a condition polled with a deadline;
every process is stopped by its pid.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (SimAdmin, TempDir, at_once, auth_yaml,  # noqa: E402
                     bin_path, classifier_sink, dt_feed, http, now_ms,
                     og_feed, poller_yaml, start_daemon, LOOPBACK_LISTENER,
                     start_sim, wait_until, DT_HEADERS, DT_TOKEN, GENIE_KEY,
                     JSM_CLOUD_ID, JSM_EMAIL, JSM_TOKEN, OG_HEADERS)

RUNTIME = "w3bh00k-runtime-token-0123456789abcdef"
OG_SECRET = "og-webhook-secret-0123456789abcdef"
DT_SECRET = "dt-webhook-secret-fedcba9876543210"
JSM_SECRET = "jsm-webhook-secret-00112233445566778899"
WRONG = "not-the-secret-but-long-enough-0000"
HDR = "X-Alexis-Webhook-Secret"

FEEDS = og_feed("og_payments",
                webhook_secret_file="secrets/og_webhook") + dt_feed(
    "dt_prod", webhook_secret_file="secrets/dt_webhook") + """\
    - name: 'og_no_webhook'
      authentication: 'og'
      type: 'opsgenie'
      feed_url: '$base_url/v2/alerts?query=status=open AND teams=nobody_here'
    - name: 'jsm_ops'
      authentication: 'jsm'
      type: 'jsm'
      query: 'status: open AND tag: payments'
      webhook_secret_file: 'secrets/jsm_webhook'
"""


def og_alert(i, teams=("payments_incoming",)):
    return {"message": "Long garbage-collection time %d" % i,
            "tags": ["env.prod"], "details": {"host": "ledger-%d" % i},
            "teams": [{"name": t} for t in teams]}


def dt_problem(i, status="OPEN"):
    return {"problemId": "-%d_1763805540000V2" % (4417200931562209843 + i),
            "displayId": "P-%d" % (2411000 + i), "title": "Memory saturation",
            "status": status, "impactLevel": "INFRASTRUCTURE",
            "severityLevel": "RESOURCE_CONTENTION",
            "startTime": now_ms() - 60000,
            "affectedEntities": [{"entityId": {"id": "HOST-3A7F21C09B55E41%d"
                                               % i, "type": "HOST"},
                                  "name": "web0%d" % i}]}


def og_payload(tiny, action="Create", alert_id="x"):
    return {"action": action, "alert": {"alertId": alert_id, "tinyId": tiny,
                                        "message": "m"},
            "source": {"name": "", "type": "API"},
            "integrationName": "Webhook"}


class WebhookCase(unittest.TestCase):
    """A simulator, a classifier sink and a listening poller per test."""

    loop_interval = "1h"

    def setUp(self):
        self.tmp = TempDir()
        self.sim_proc, self.sim_url = start_sim(
            self.tmp.join("sim.log"), "--apply-delay-ms", "0")
        self.sim = SimAdmin(self.sim_url)
        self.cls = classifier_sink()
        self.poller = None
        self.start_poller()

    def tearDown(self):
        if self.poller is not None:
            self.poller.stop()
            text = "\n".join(self.poller.lines())
            for secret in (GENIE_KEY, DT_TOKEN, RUNTIME, OG_SECRET,
                           DT_SECRET, JSM_SECRET, JSM_TOKEN, WRONG):
                self.assertNotIn(secret, text)
        self.cls.close()
        self.assertEqual(self.sim_proc.stop(), 0)
        self.tmp.cleanup()

    def start_poller(self):
        self.tmp.write_tokens(None, ("poller", RUNTIME, "personal", "test"),
                              runtime_name="conf/tokens/poller.token.json")
        self.tmp.write("conf/secrets/og_webhook", OG_SECRET + "\n", 0o600)
        self.tmp.write("conf/secrets/dt_webhook", DT_SECRET, 0o600)
        self.tmp.write("conf/secrets/jsm_webhook", JSM_SECRET, 0o600)
        self.tmp.write("conf/secrets/jsm_token", JSM_TOKEN, 0o600)
        cfg = self.tmp.write("conf/alexis.conf.yaml", auth_yaml(
            self.sim_url, og=OG_HEADERS, dt=DT_HEADERS) + """\
  - name: 'jsm'
    type: 'jsm'
    base_url: '{sim}'
    cloud_id: '{cloud}'
    email: '{email}'
    api_token_file: 'secrets/jsm_token'
""".format(sim=self.sim_url, cloud=JSM_CLOUD_ID, email=JSM_EMAIL) +
            poller_yaml(dict.fromkeys(("opsgenie", "dynatrace", "jsm"),
                                      self.cls.url), [FEEDS],
                        "loop_interval: %s" % self.loop_interval,
                        LOOPBACK_LISTENER))
        self.poller, self.url = start_daemon(
            [bin_path("alexis-poller"), "--config", cfg],
            self.tmp.join("poller.log"))
        # The first pass runs at start; deliveries come after it.
        self.wait_pass(1)

    # -- helpers -----------------------------------------------------
    def wait_pass(self, n):
        wait_until(lambda: len(self.poller.events("pass_finished")) >= n,
                   30, "pass %d" % n)

    def hook(self, source, feed, secret):
        self.sim.add_webhook(source, "%s/v1/webhook/%s" % (self.url, feed),
                             secret)

    def deliver(self, feed, body, secret=OG_SECRET, headers=None):
        h = {HDR: secret} if secret is not None else {}
        h.update(headers or {})
        return http("POST", "%s/v1/webhook/%s" % (self.url, feed), body,
                     headers=h)

    def forwarded(self, key=None):
        envs = [r["json"] for r in self.cls.find("POST", "/v1/classifier")]
        if key is None:
            return envs
        return [e for e in envs if e["alexis"]["unique_value"] == key]

    def wait_item(self, event, **match):
        return self.poller.wait_event(event, timeout=20, **match)

    def deliver_at_once(self, n, feed, body):
        """n deliveries of body from n threads at once; returns once
        every one is answered and the poller has settled."""
        at_once(n, lambda i: self.deliver(feed, body))
        self.settle()

    def settle(self):
        """Wait until every accepted delivery was worked on: each 202 with
        forward=true ends in one item_* line of trigger=webhook."""
        def done():
            got = len([e for e in self.poller.events()
                       if e.get("trigger") == "webhook" and
                       e.get("event", "").startswith("item_")])
            want = len(self.poller.events("webhook_received",
                                          forward="true"))
            return got >= want
        wait_until(done, 20, "the webhook deliveries to be worked on")


class TestOpsGenieWebhook(WebhookCase):

    def test_sim_delivery_forwards_once(self):
        self.hook("opsgenie", "og_payments", OG_SECRET)
        t0 = now_ms()
        tiny = self.sim.add_alerts(og_alert(1))["tinyId"]
        ev = self.wait_item("item_delivered", tinyId=tiny)
        self.assertEqual((ev["trigger"], ev["feed_name"]),
                         ("webhook", "og_payments"))
        envs = self.forwarded(tiny)
        self.assertEqual(len(envs), 1)
        e = envs[0]
        self.assertEqual(e["alexis"], {
            "feed_type": "opsgenie", "feed_name": "og_payments",
            "base_url": self.sim_url, "unique_key": "tinyId",
            "unique_value": tiny})
        self.assertIn("details", e)     # fetched through the API
        req = self.cls.find("POST", "/v1/classifier")[0]
        self.assertEqual(req["headers"]["authorization"], "Bearer " + RUNTIME)
        got = self.poller.events("webhook_received", tinyId=tiny)[0]
        self.assertEqual((got["webhook_event"], got["forward"]),
                         ("Create", "true"))
        self.assertLess(now_ms() - t0, 10000)
        fin = self.poller.events("request_finished", path="/v1/webhook/"
                                 "og_payments")[0]
        self.assertEqual(fin["status"], "202")
        self.assertEqual(self.sim.admin("GET", "webhooks")[1]["sent"], 1)

    def test_bearer_is_accepted_too(self):
        tiny = self.sim.add_alerts(og_alert(2))["tinyId"]
        st, body, _ = self.deliver("og_payments", og_payload(tiny),
                                   secret=None, headers={
                                       "Authorization": "Bearer " +
                                       OG_SECRET})
        self.assertEqual(st, 202, body)
        self.assertEqual(json.loads(body), {"received": tiny})
        self.wait_item("item_delivered", tinyId=tiny)
        self.assertEqual(len(self.forwarded(tiny)), 1)

    def test_bad_or_missing_secret_401_never_logged(self):
        tiny = self.sim.add_alerts(og_alert(3))["tinyId"]
        for secret, hdrs in ((WRONG, None), (None, None),
                             (None, {"Authorization": "Bearer " + WRONG}),
                             (DT_SECRET, None),     # another feed's
                             (OG_SECRET[:-1], None)):
            st, body, _ = self.deliver("og_payments", og_payload(tiny),
                                       secret=secret, headers=hdrs)
            self.assertEqual(st, 401, body)
            self.assertEqual(json.loads(body)["error"],
                             "missing or bad webhook secret")
        self.assertEqual(len(self.poller.events(
            "webhook_refused", reason="bad_secret")), 5)
        self.assertEqual(self.poller.events("webhook_received"), [])
        self.assertEqual(self.forwarded(), [])
        # tearDown: neither secret is anywhere in the log.

    def test_unknown_feed_or_feed_without_secret_404(self):
        for feed in ("nope", "og_no_webhook", "", "og_payments/x"):
            st, body, _ = self.deliver(feed, og_payload("1"))
            self.assertEqual(st, 404, (feed, body))
            self.assertIn("error", json.loads(body))
        st, _, _ = http("GET", self.url + "/v1/webhook/og_payments")
        self.assertEqual(st, 405)

    def test_payload_without_id_400_names_the_field(self):
        cases = [({"action": "Create", "alert": {"alertId": "abc"}},
                  "alert.tinyId"),
                 ({"action": "Create"}, "alert"),
                 ({"action": 7, "alert": {"tinyId": "1"}}, "action"),
                 ([1, 2], "JSON object")]
        for body, field in cases:
            st, text, _ = self.deliver("og_payments", body)
            self.assertEqual(st, 400, text)
            self.assertIn(field, json.loads(text)["error"])
        st, text, _ = self.deliver("og_payments", b"{not json")
        self.assertEqual(st, 400, text)
        self.assertIn("invalid JSON", json.loads(text)["error"])
        st, text, _ = self.deliver("og_payments", b"tinyId=1",
                                   headers={"Content-Type": "text/plain"})
        self.assertEqual(st, 415, text)
        self.assertEqual(self.forwarded(), [])

    def test_unknown_id_202_logged_nothing_forwarded(self):
        for tiny in ("987654", "12) OR (tinyId:1"):
            st, body, _ = self.deliver("og_payments", og_payload(tiny))
            self.assertEqual(st, 202, body)
            ev = self.wait_item("item_skipped", tinyId=tiny)
            self.assertEqual((ev["reason"], ev["trigger"]),
                             ("unknown_id", "webhook"))
        self.assertEqual(self.forwarded(), [])

    def test_duplicate_delivery_forwards_once(self):
        self.hook("opsgenie", "og_payments", OG_SECRET)
        tiny = self.sim.add_alerts(og_alert(4))["tinyId"]
        self.wait_item("item_delivered", tinyId=tiny)
        # The same delivery again, twice, and five at once.
        for _ in range(2):
            st, _, _ = self.deliver("og_payments", og_payload(tiny))
            self.assertEqual(st, 202)
        self.deliver_at_once(5, "og_payments", og_payload(tiny))
        self.assertEqual(len(self.forwarded(tiny)), 1)
        skips = self.poller.events("item_skipped", tinyId=tiny)
        self.assertEqual(len(skips), 7)
        self.assertTrue(all(s["reason"] in ("recently_forwarded",
                                            "in_progress") for s in skips))

    def test_concurrent_first_deliveries_forward_once(self):
        tiny = self.sim.add_alerts(og_alert(5))["tinyId"]
        self.deliver_at_once(8, "og_payments", og_payload(tiny))
        self.assertEqual(len(self.forwarded(tiny)), 1)

    def test_close_action_does_not_forward(self):
        tiny = self.sim.add_alerts(og_alert(6))["tinyId"]
        for action in ("Close", "Delete"):
            st, body, _ = self.deliver("og_payments",
                                       og_payload(tiny, action))
            self.assertEqual(st, 202, body)
            self.assertEqual(json.loads(body), {"received": tiny,
                                                "ignored": action})
        self.assertEqual(len(self.poller.events("webhook_received",
                                                forward="false")), 2)
        self.assertEqual(self.forwarded(), [])

    def test_already_handled_alert_is_not_forwarded(self):
        # Routed already (the feed's query leaves it out), and another
        # team's alert: the webhook path applies the same filter.
        done = self.sim.add_alerts(og_alert(7, ("payments_incoming",
                                                "queue_autoremediation")))
        other = self.sim.add_alerts(og_alert(8, ("db_incoming",)))
        for a in (done, other):
            st, _, _ = self.deliver("og_payments", og_payload(a["tinyId"]))
            self.assertEqual(st, 202)
            ev = self.wait_item("item_skipped", tinyId=a["tinyId"])
            self.assertEqual(ev["reason"], "not_in_feed")
        self.assertEqual(self.forwarded(), [])

    def test_oversized_body_413(self):
        big = {"action": "Create", "alert": {"tinyId": "1",
                                             "message": "x" * (300 * 1024)}}
        st, body, _ = self.deliver("og_payments", big)
        self.assertEqual(st, 413, body)
        self.assertEqual(self.forwarded(), [])

    def test_ping_and_metrics(self):
        st, body, _ = http("GET", self.url + "/v1/ping")
        self.assertEqual((st, json.loads(body)), (200, {"status": "ok"}))
        st, body, _ = http("GET", self.url + "/metrics")
        self.assertEqual(st, 200)
        self.assertIn("alexis_polls_total", body)


class TestWebhookThenPoll(WebhookCase):
    """With polls every second: a webhook, then poll cycles, forward once."""

    loop_interval = "1"

    def test_webhook_then_poll_cycles_forward_once(self):
        self.hook("opsgenie", "og_payments", OG_SECRET)
        self.hook("dynatrace", "dt_prod", DT_SECRET)
        tiny = self.sim.add_alerts(og_alert(10))["tinyId"]
        pid = self.sim.add_problems(dt_problem(10))["problemId"]
        self.wait_item("item_delivered", tinyId=tiny)
        self.wait_item("item_delivered", problem_id=pid)
        n = len(self.poller.events("pass_finished"))
        self.wait_pass(n + 2)
        self.assertEqual(len(self.forwarded(tiny)), 1)
        self.assertEqual(len(self.forwarded(pid)), 1)
        by = {(e["event"], e.get("trigger"), e.get("reason"))
              for e in self.poller.events() if e.get("tinyId") == tiny and
              e.get("event", "").startswith("item_")}
        self.assertIn(("item_skipped", "poll", "recently_forwarded"), by)

    def test_poll_then_webhook_forwards_once(self):
        tiny = self.sim.add_alerts(og_alert(11))["tinyId"]
        ev = self.wait_item("item_delivered", tinyId=tiny)
        self.assertEqual(ev["trigger"], "poll")
        st, _, _ = self.deliver("og_payments", og_payload(tiny))
        self.assertEqual(st, 202)
        ev = self.wait_item("item_skipped", tinyId=tiny, trigger="webhook")
        self.assertEqual(ev["reason"], "recently_forwarded")
        self.assertEqual(len(self.forwarded(tiny)), 1)


class TestDynatraceWebhook(WebhookCase):

    def test_sim_delivery_forwards_once(self):
        self.hook("dynatrace", "dt_prod", DT_SECRET)
        pid = self.sim.add_problems(dt_problem(1))["problemId"]
        ev = self.wait_item("item_delivered", problem_id=pid)
        self.assertEqual(ev["trigger"], "webhook")
        envs = self.forwarded(pid)
        self.assertEqual(len(envs), 1)
        self.assertEqual(envs[0]["alexis"]["feed_type"], "dynatrace")
        self.assertEqual(envs[0]["alexis"]["unique_key"], "problem_id")
        self.assertEqual(envs[0]["problemId"], pid)
        got = self.poller.events("webhook_received", problem_id=pid)[0]
        self.assertEqual(got["webhook_event"], "OPEN")

    def test_resolved_state_does_not_forward(self):
        self.hook("dynatrace", "dt_prod", DT_SECRET)
        pid = self.sim.add_problems(dt_problem(2, "CLOSED"))["problemId"]
        ev = self.poller.wait_event("webhook_received", problem_id=pid)
        self.assertEqual((ev["webhook_event"], ev["forward"]),
                         ("RESOLVED", "false"))
        self.assertEqual(self.forwarded(), [])

    def test_errors(self):
        st, _, _ = self.deliver("dt_prod", {"PID": "1", "State": "OPEN"},
                                secret=OG_SECRET)
        self.assertEqual(st, 401)
        for body, field in (({"State": "OPEN"}, "PID"),
                            ({"PID": "-1_2V2", "State": 3}, "State"),
                            ({"PID": {"x": 1}, "State": "OPEN"}, "PID")):
            st, text, _ = self.deliver("dt_prod", body, secret=DT_SECRET)
            self.assertEqual(st, 400, text)
            self.assertIn(field, json.loads(text)["error"])
        st, _, _ = self.deliver("dt_prod", {"PID": "-99_1V2", "State":
                                            "OPEN"}, secret=DT_SECRET)
        self.assertEqual(st, 202)
        ev = self.wait_item("item_skipped", problem_id="-99_1V2")
        self.assertEqual(ev["reason"], "unknown_id")
        self.assertEqual(self.forwarded(), [])

    def test_duplicate_delivery_forwards_once(self):
        pid = self.sim.add_problems(dt_problem(3))["problemId"]
        body = {"PID": pid, "ProblemID": "2411003", "State": "OPEN"}
        for _ in range(3):
            st, _, _ = self.deliver("dt_prod", body, secret=DT_SECRET)
            self.assertEqual(st, 202)
        self.settle()
        self.assertEqual(len(self.forwarded(pid)), 1)

    def test_oversized_body_413(self):
        st, _, _ = self.deliver("dt_prod", {"PID": "1", "State": "OPEN",
                                            "pad": "y" * (400 * 1024)},
                                secret=DT_SECRET)
        self.assertEqual(st, 413)


class TestJsmWebhook(WebhookCase):

    def jsm_alert(self, i):
        return self.sim.add_jsm_alerts({
            "message": "Long garbage-collection time %d" % i,
            "tags": ["payments", "env.prod"],
            "extraProperties": {"host": "ledger-%d" % i}})

    def test_sim_delivery_forwards_once(self):
        self.hook("jsm", "jsm_ops", JSM_SECRET)
        a = self.jsm_alert(1)
        ev = self.wait_item("item_delivered", trigger="webhook",
                            feed_name="jsm_ops")
        envs = self.forwarded(a["id"])
        self.assertEqual(len(envs), 1, ev)
        self.assertEqual(envs[0]["alexis"]["feed_type"], "jsm")
        self.assertEqual(envs[0]["alexis"]["unique_key"], "id")
        self.assertIn("extraProperties", envs[0])   # fetched through JSM

    def test_errors_duplicates_and_unknown_id(self):
        a = self.jsm_alert(2)
        body = {"action": "Create", "alert": {"alertId": a["id"],
                                              "tinyId": a["tinyId"]}}
        st, _, _ = self.deliver("jsm_ops", body, secret=OG_SECRET)
        self.assertEqual(st, 401)
        st, text, _ = self.deliver("jsm_ops", {"action": "Create", "alert": {
            "tinyId": "3"}}, secret=JSM_SECRET)
        self.assertEqual(st, 400, text)
        self.assertIn("alert.alertId", json.loads(text)["error"])
        for _ in range(3):
            st, _, _ = self.deliver("jsm_ops", body, secret=JSM_SECRET)
            self.assertEqual(st, 202)
        st, _, _ = self.deliver("jsm_ops", {"action": "Create", "alert": {
            "alertId": "no-such-alert-1"}}, secret=JSM_SECRET)
        self.assertEqual(st, 202)
        self.settle()
        self.assertEqual(len(self.forwarded(a["id"])), 1)
        self.assertEqual(self.poller.events("item_skipped", reason=
                                            "unknown_id")[0]["feed_name"],
                         "jsm_ops")
        self.assertEqual(len(self.forwarded()), 1)


class TestConfig(unittest.TestCase):

    def test_check_errors(self):
        tmp = TempDir()
        try:
            tmp.write("tokens/poller.token.json", json.dumps(
                {"token": {"type": "personal", "requestor": "p",
                           "description": "d", "id": RUNTIME}}))
            tmp.write("short", "tooshort", 0o600)
            base = auth_yaml("http://127.0.0.1:9", og={
                "headers": '{"Authorization":"GenieKey k"}'}) + """\
poller:
  classifier_destinations: {opsgenie: 'http://127.0.0.1:9/v1'}
  tokens: {directory: tokens, runtime: poller.token.json}
%s  feed_list:
    - name: f
      authentication: og
      type: opsgenie
      feed_url: '$base_url/v2/alerts'
      webhook_secret_file: '%s'
"""
            for listener, secret, want in (
                    ("", "short", "webhook_secret_file is set but "
                     "poller.listener.port is not"),
                    ("  listener: {port: 0}\n", "short",
                     "shorter than 16 bytes"),
                    ("  listener: {port: 0}\n", "missing",
                     "No such file")):
                cfg = tmp.write("c.yaml", base % (listener, secret))
                out = subprocess.run(
                    [bin_path("alexis-poller"), "--check", "--config", cfg],
                    capture_output=True, timeout=30)
                self.assertEqual(out.returncode, 1, out.stdout)
                self.assertIn(want, out.stderr.decode())
                self.assertNotIn("tooshort", out.stderr.decode())
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
