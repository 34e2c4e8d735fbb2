"""Integration tests of alexis-poller.

Each test starts its own alexis-sim (OpsGenie + Dynatrace) on 127.0.0.1
with an ephemeral port and a harness.Sink playing the classifier, writes a
poller config into a temporary directory and runs the real poller against
them. Waiting is always a condition polled with a deadline; every process
is stopped by its pid.
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Proc, SimAdmin, Sink, TempDir, auth_yaml,  # noqa: E402
                     bin_path, classifier_sink, http, now_ms, og_feed,
                     start_sim,
                     wait_until, DT_HEADERS, DT_TOKEN, GENIE_KEY, OG_HEADERS,
                     SRC)

RUNTIME = "p0ll3r-runtime-token-0123456789abcdef"
OG_FEED = og_feed("og_payments", base_url="{sim}")
DT1_FEED = """\
    - name: 'dt_v1'
      authentication: 'dt'
      type: 'dynatrace'
      feed_url: '$base_url/api/v1/problem/feed?status=OPEN&relativeTime=2hours'
      url_individual: '$base_url/api/v1/problem/details/$uniqueid'
"""
DT2_FEED = """\
    - name: 'dt_v2'
      authentication: 'dt'
      type: 'dynatrace'
      url: '$base_url/api/v2/problems?pageSize=2&problemSelector=status("open")&from=$lookback'
      lookback: 30
      lookback_unit: 'm'
"""


def read(path):
    with open(path) as f:
        return f.read()


def write_config(tmp, sim, classifier, feeds, extra="", single=True):
    tmp.write_tokens(None, ("poller", RUNTIME, "personal", "test"),
                     runtime_name="conf/tokens/poller.token.json")
    text = "version: '2.060'\n" + auth_yaml(
        sim, og=OG_HEADERS, dt=DT_HEADERS) + """\
poller:
  classifier_destinations:
    opsgenie: '{cls}/v1'
    dynatrace: '{cls}/v1'
  debug: false
  development: 'false'
  single_execution: {single}
  loop_interval: 1
  tokens:
    directory: 'tokens'
    runtime: 'poller.token.json'
{extra}  feed_list:
{feeds}""".format(cls=classifier,
                  extra=extra, single="true" if single else "false", feeds="".join(feeds).format(sim=sim))
    return tmp.write("conf/alexis.conf.yaml", text)


class PollerCase(unittest.TestCase):
    """A simulator and a classifier sink per test."""

    sim_args = ["--apply-delay-ms", "0"]

    def setUp(self):
        self.tmp = TempDir()
        self.sim_proc, self.sim_url = start_sim(
            self.tmp.join("sim.log"), *self.sim_args)
        self.sim = SimAdmin(self.sim_url)
        self.cls = classifier_sink()
        self.poller = None

    def tearDown(self):
        if self.poller is not None:
            self.poller.stop()
            self.assert_no_secrets(self.poller.lines())
        self.cls.close()
        self.assertEqual(self.sim_proc.stop(), 0)
        self.tmp.cleanup()

    # -- helpers -----------------------------------------------------
    def start(self, feeds, extra="", single=True):
        cfg = write_config(self.tmp, self.sim_url, self.cls.url, feeds,
                           extra, single)
        self.poller = Proc([bin_path("alexis-poller"), "--config", cfg],
                           self.tmp.join("poller.log"))
        return self.poller

    def run_once(self, feeds, extra="", timeout=60):
        p = self.start(feeds, extra)
        rc = p.wait_exit(timeout=timeout)
        return rc, p

    def posted(self):
        return [r["json"] for r in self.cls.find("POST", "/v1/classifier")]

    def assert_no_secrets(self, lines):
        text = "\n".join(lines)
        for secret in (GENIE_KEY, DT_TOKEN, RUNTIME, "GenieKey", "Api-Token"):
            self.assertNotIn(secret, text)

    def assert_envelopes_clean(self, envs):
        for e in envs:
            self.assertNotIn("feed_headers", e["alexis"])
            blob = json.dumps(e)
            for secret in (GENIE_KEY, DT_TOKEN, RUNTIME):
                self.assertNotIn(secret, blob)


def team_alert(i, t0, teams=("payments_incoming",)):
    return {"message": "Long garbage-collection time %d" % i,
            "createdAt": t0 + i, "tags": ["env.prod"],
            "details": {"host": "ledger-%d" % i},
            "teams": [{"name": t} for t in teams]}


class TestOpsGenie(PollerCase):

    def test_paging_over_100_alerts_single_execution(self):
        t0 = now_ms() - 600000
        self.sim.add_alerts([team_alert(i, t0) for i in range(230)])
        # Already routed, another team, and older than the lookback.
        self.sim.add_alerts([team_alert(900, t0, ("payments_incoming",
                                                  "queue_autoremediation")),
                             team_alert(901, t0, ("db_incoming",)),
                             team_alert(902, t0 - 2 * 3600000)])
        rc, p = self.run_once([OG_FEED])
        self.assertEqual(rc, 0, "\n".join(p.lines()))
        envs = self.posted()
        self.assertEqual(len(envs), 230)
        self.assertEqual(len({e["alexis"]["unique_value"] for e in envs}),
                         230)
        e = envs[0]
        self.assertEqual(set(e["alexis"]), {"feed_type", "feed_name",
                                            "base_url", "unique_key",
                                            "unique_value"})
        self.assertEqual(e["alexis"]["unique_key"], "tinyId")
        self.assertEqual(e["alexis"]["unique_value"], e["tinyId"])
        self.assertEqual(e["alexis"]["feed_name"], "og_payments")
        self.assertEqual(e["alexis"]["base_url"], self.sim_url)
        self.assertIn("details", e)     # the full alert, not the list item
        self.assert_envelopes_clean(envs)
        req = self.cls.find("POST", "/v1/classifier")[0]
        self.assertEqual(req["headers"]["authorization"], "Bearer " + RUNTIME)
        self.assertEqual(self.sim.calls("og.list"), 3)
        self.assertEqual(self.sim.calls("og.get"), 230)
        fin = p.events("poll_finished", feed_name="og_payments")[0]
        self.assertEqual((fin["result"], fin["items"], fin["delivered"],
                          fin["failed"], fin["pages"]),
                         ("ok", "230", "230", "0", "3"))
        self.assertEqual(int(fin["api_calls"]), 233)
        self.assertIn("app_elapsed_ms", fin)
        got = p.events("item_delivered", feed_name="og_payments")
        self.assertEqual(len(got), 230)
        self.assertTrue(all(ev.get("tinyId") for ev in got))
        self.assertEqual(len(p.events("poll_started")), 1)

    def test_429_and_500_on_list_still_complete(self):
        t0 = now_ms() - 60000
        self.sim.add_alerts([team_alert(i, t0) for i in range(120)])
        self.sim.fault([{"endpoint": "og.list", "kind": "429", "count": 2,
                         "retryAfterSec": 1},
                        {"endpoint": "og.list", "kind": "error", "status": 500,
                         "count": 1}])
        rc, p = self.run_once([OG_FEED])
        self.assertEqual(rc, 0, "\n".join(p.lines()))
        self.assertEqual(len(self.posted()), 120)
        fin = p.events("poll_finished")[0]
        self.assertEqual((fin["result"], fin["pages"]), ("ok", "2"))
        self.assertEqual(self.sim.calls("og.list"), 5)
        self.assertEqual(int(fin["api_calls"]), 125)

    def test_rate_limited_details_are_retried(self):
        t0 = now_ms() - 60000
        self.sim.add_alerts([team_alert(i, t0) for i in range(30)])
        self.sim.fault({"endpoint": "og.get", "kind": "429", "count": 5,
                        "retryAfterSec": 1})
        rc, p = self.run_once([OG_FEED])
        self.assertEqual(rc, 0, "\n".join(p.lines()))
        self.assertEqual(len(self.posted()), 30)
        self.assertEqual(self.sim.calls("og.get"), 35)

    def test_list_failure_is_logged_and_exits_1(self):
        self.sim.add_alerts([team_alert(1, now_ms() - 1000)])
        self.sim.fault({"endpoint": "og.list", "kind": "error", "status": 500,
                        "count": 10})
        rc, p = self.run_once([OG_FEED, DT1_FEED])
        self.assertEqual(rc, 1)
        failed = p.events("poll_failed", feed_name="og_payments")[0]
        self.assertEqual((failed["stage"], failed["status"]), ("list", "500"))
        # The other feed still ran.
        fin = p.events("poll_finished", feed_name="dt_v1")[0]
        self.assertEqual(fin["result"], "ok")
        self.assertEqual(self.sim.calls("og.list"), 4)  # 1 + 3 retries

    def test_empty_feed_pings_classifier(self):
        rc, p = self.run_once([OG_FEED])
        self.assertEqual(rc, 0)
        self.assertEqual(len(self.cls.find("GET", "/v1/ping")), 1)
        self.assertEqual(p.events("classifier_pinged")[0]["status"], "200")
        self.assertEqual(self.posted(), [])

    def test_classifier_down_item_failed_exit_1(self):
        self.sim.add_alerts([team_alert(1, now_ms() - 1000)])
        self.cls.close()
        dead = self.cls.url
        self.cls = Sink()   # tearDown closes this one
        cfg = write_config(self.tmp, self.sim_url, dead, [OG_FEED],
                           "  max_retries: 1\n")
        self.poller = Proc([bin_path("alexis-poller"), "--config", cfg],
                           self.tmp.join("poller.log"))
        self.assertEqual(self.poller.wait_exit(timeout=30), 1)
        ev = self.poller.events("item_failed")[0]
        self.assertEqual((ev["stage"], ev["status"], ev["feed_name"]),
                         ("classifier", "0", "og_payments"))
        self.assertTrue(ev["tinyId"])
        self.assertEqual(self.poller.events("poll_finished")[0]["result"],
                         "partial")

    def test_classifier_refusal_offered_again_next_loop(self):
        tiny = self.sim.add_alerts(team_alert(1, now_ms() - 1000))["tinyId"]
        # The first pass: every attempt (1 + max_retries 1) answers 503.
        self.cls.answer("POST", "/v1/classifier", 503,
                        json.dumps({"error": "queue full", "status": 503}),
                        times=2)
        p = self.start([OG_FEED], "  max_retries: 1\n", single=False)
        p.wait_event("item_delivered", timeout=20, tinyId=tiny)
        failed = p.events("item_failed", tinyId=tiny)
        self.assertEqual(failed[0]["stage"], "classifier")
        self.assertEqual(failed[0]["status"], "503")
        self.assertEqual(len(self.cls.find("POST", "/v1/classifier")), 3)
        passes = p.events("pass_finished")
        self.assertGreaterEqual(len(passes), 1)
        self.assertEqual(p.stop(), 0)


class TestDynatrace(PollerCase):

    def problem_v1(self, pid, comments=None):
        p = {"problemId": pid, "displayId": "P-" + pid, "title": "Memory",
             "startTime": "now-10m", "status": "OPEN",
             "tagsOfAffectedEntities": [{"context": "CONTEXTLESS",
                                         "key": "autoremediate"}]}
        if comments is not None:
            p["comments"] = comments
        return p

    def test_v1_skips_problems_with_alexis_comment(self):
        self.sim.add_problems([
            self.problem_v1("111"),
            self.problem_v1("222", [{"content": "rule x matched",
                                     "context": "Alexis",
                                     "userName": "alexis"}]),
            self.problem_v1("333", [{"content": "looking", "context": "ops",
                                     "userName": "bob"}])])
        rc, p = self.run_once([DT1_FEED])
        self.assertEqual(rc, 0, "\n".join(p.lines()))
        envs = self.posted()
        self.assertEqual(sorted(e["alexis"]["unique_value"] for e in envs),
                         ["111", "333"])
        e = envs[0]
        self.assertEqual(e["alexis"]["unique_key"], "problem_id")
        self.assertEqual(e["alexis"]["feed_type"], "dynatrace")
        self.assertEqual(e["id"], e["alexis"]["unique_value"])
        self.assertIn("rankedEvents", e)    # details, not the feed item
        self.assert_envelopes_clean(envs)
        skip = p.events("item_skipped", feed_name="dt_v1")
        self.assertEqual([(s["problem_id"], s["reason"]) for s in skip],
                         [("222", "alexis_comment")])
        self.assertEqual(self.sim.calls("dt1.details"), 2)
        self.assertEqual(self.sim.calls("dt1.comments.list"), 3)

    def test_v2_pages_and_skips_alexis_comment(self):
        t = now_ms()
        self.sim.add_problems([{"problemId": "p%d" % i, "title": "T%d" % i,
                                "startTime": t - 60000 * (i + 1)}
                               for i in range(5)])
        for i in range(12):
            st, _, _ = http("POST", self.sim_url +
                            "/api/v2/problems/p3/comments",
                            {"message": "c%d" % i,
                             "context": "Alexis" if i == 11 else "ops"},
                            {"Authorization": "Api-Token " + DT_TOKEN})
            self.assertEqual(st, 201)
        rc, p = self.run_once([DT2_FEED])
        self.assertEqual(rc, 0, "\n".join(p.lines()))
        envs = self.posted()
        self.assertEqual(sorted(e["problemId"] for e in envs),
                         ["p0", "p1", "p2", "p4"])
        self.assert_envelopes_clean(envs)
        fin = p.events("poll_finished", feed_name="dt_v2")[0]
        self.assertEqual((fin["pages"], fin["items"], fin["skipped"]),
                         ("3", "5", "1"))
        self.assertEqual(p.events("item_skipped")[0]["problem_id"], "p3")
        self.assertEqual(self.sim.calls("dt2.list"), 3)
        self.assertEqual(self.sim.calls("dt2.get"), 4)


class TestLifecycle(PollerCase):

    def test_sigterm_stops_between_items(self):
        t0 = now_ms() - 60000
        self.sim.add_alerts([team_alert(i, t0) for i in range(40)])
        self.sim.fault({"endpoint": "og.get", "kind": "latency",
                        "latencyMs": 300, "count": 40})
        p = self.start([OG_FEED], "  concurrency: 2\n")
        p.wait_event("item_delivered", timeout=20)
        t = time.monotonic()
        os.kill(p.pid, signal.SIGTERM)
        self.assertEqual(p.wait_exit(timeout=10), 0)
        self.assertLess(time.monotonic() - t, 3.0)
        fin = p.events("poll_finished")[0]
        self.assertEqual(fin["result"], "interrupted")
        self.assertGreater(int(fin["untried"]), 0)
        p.wait_event("shutdown_finished", exit="0")

    def test_loop_interval_between_pass_starts(self):
        p = self.start([OG_FEED], single=False)
        t = time.monotonic()
        wait_until(lambda: len(p.events("pass_finished")) >= 3, 10,
                   lambda: "three passes:\n" + "\n".join(p.lines()), 0.05)
        # Passes start a loop_interval (1 s) apart: three take about 2 s.
        self.assertGreater(time.monotonic() - t, 1.8)
        self.assertEqual(p.stop(), 0)
        self.assertGreaterEqual(len(self.cls.find("GET", "/v1/ping")), 3)

    def test_check(self):
        cfg = write_config(self.tmp, self.sim_url, self.cls.url,
                           [OG_FEED, DT1_FEED, DT2_FEED])
        out = subprocess.run([bin_path("alexis-poller"), "--check",
                              "--config", cfg], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertEqual(out.stdout.decode(), "configuration OK (3 feeds)\n")
        sample = os.path.join(SRC, "tests", "fixtures", "samples", "conf",
                              "poller", "alexis.conf.yaml")
        out = subprocess.run([bin_path("alexis-poller"), "--check",
                              "--config", sample], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout)
        bad = self.tmp.write("bad.yaml", read(cfg).replace(
            "authentication: 'dt'", "authentication: 'og'", 1).replace(
            "tokens:\n    directory: 'tokens'\n    runtime: "
            "'poller.token.json'", "tokens:\n    runtime: 'missing.json'"))
        out = subprocess.run([bin_path("alexis-poller"), "--check",
                              "--config", bad], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(out.returncode, 1)
        text = out.stdout.decode()
        self.assertRegex(text, r'bad\.yaml:\d+:\d+: error: feed "dt_v1": '
                         r'authentication "og" is of type opsgenie, the '
                         r'feed of type dynatrace')
        self.assertNotIn(GENIE_KEY, text)
        missing = self.tmp.write("missing.yaml", read(cfg).replace(
            "poller.token.json", "nope.json"))
        out = subprocess.run([bin_path("alexis-poller"), "--check",
                              "--config", missing], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(out.returncode, 1)
        self.assertIn("nope.json", out.stdout.decode())



class TestDevelopmentIsADryRun(PollerCase):
    """poller.development: fetch and build every envelope, log it, send
    nothing to the classifier."""

    def test_envelopes_are_built_and_logged_not_sent(self):
        t0 = now_ms() - 60000
        self.sim.add_alerts([team_alert(i, t0) for i in range(3)])
        cfg = write_config(self.tmp, self.sim_url, self.cls.url, [OG_FEED])
        self.tmp.write("conf/alexis.conf.yaml", read(cfg).replace(
            "development: 'false'", "development: 'true'"))
        self.poller = Proc([bin_path("alexis-poller"), "--config", cfg],
                           self.tmp.join("poller.log"))
        self.assertEqual(self.poller.wait_exit(timeout=60), 0,
                         "\n".join(self.poller.lines()))
        self.assertEqual(self.posted(), [])
        self.assertEqual(self.cls.find("POST"), [])
        self.assertEqual(self.sim.calls("og.get"), 3)
        skipped = self.poller.events("item_forward_skipped",
                                     feed_name="og_payments")
        self.assertEqual(len(skipped), 3)
        self.assertIn("development", skipped[0]["reason"])
        self.assertTrue(all(int(e["envelope_bytes"]) > 0 for e in skipped))
        fin = self.poller.events("poll_finished", feed_name="og_payments")[0]
        self.assertEqual((fin["result"], fin["delivered"], fin["skipped"]),
                         ("ok", "0", "3"))
        started = self.poller.events("poller_started")[0]
        self.assertEqual(started["development"], "true")


if __name__ == "__main__":
    unittest.main()
