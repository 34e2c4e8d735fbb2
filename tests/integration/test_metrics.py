"""GET /metrics (DESIGN §15): the whole loop (alexis-sim, a real sshd, the
three daemons, as in the demo) is driven with one alert that a rule
matches and one that none does, and the counters of the classifier and the
action handler must move by exactly what happened (the poller's, which
move with every pass, at least by it). Pages are parsed with
the Prometheus project's own parser (python3-prometheus-client), so a
format error fails the test. Also: the optional metrics token."""
import json
import os
import re
import subprocess
import sys
import unittest

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # Debian's python3-prometheus-client (scripts/deps.sh), when the
    # python3 first on PATH is not Debian's own (pyenv, a venv).
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "demo"))
from harness import (BIN, Sink, TempDir, bin_path, http,  # noqa: E402
                     start_daemon, token, wait_until)
from demo import Demo  # noqa: E402
from test_classifier import write_config  # noqa: E402

WAIT_S = 60.0
CONTENT_TYPE = "text/plain; version=0.0.4"
FEED = "OpsGenie_payments_open"
RULE = "ledger_gc_restart"
SCRAPER = "scraper-token-5e5e5e5e"


def scrape(url, headers=None):
    """{(sample name, frozenset of labels): value} of url/metrics."""
    st, text, hdrs = http("GET", url + "/metrics", headers=headers)
    assert st == 200, (st, text)
    assert hdrs["Content-Type"].startswith(CONTENT_TYPE), hdrs
    page = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            page[(s.name, frozenset(s.labels.items()))] = s.value
    return page


def families(url):
    """Every metric name the page declares (# TYPE), series or not."""
    _, text, _ = http("GET", url + "/metrics")
    return set(re.findall(r"^# TYPE (\S+) ", text, re.M))


def get(page, name, **labels):
    return page.get((name, frozenset(labels.items())), 0.0)


def total(page, name, **labels):
    """Sum of every sample of name whose labels include labels."""
    want = set(labels.items())
    return sum(v for (n, ls), v in page.items()
               if n == name and want <= set(ls))


class TestCountersFollowTheLoop(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.demo = Demo(BIN, self.tmp.join("run"), loop_interval=1,
                         webhooks=True)
        self.demo.setup()

    def tearDown(self):
        self.demo.stop_all()
        self.tmp.cleanup()

    def pages(self):
        return scrape(self.demo.cl_url), scrape(self.demo.ah_url)

    def settled(self):
        """Both pages once they stay the same over a whole poll pass and no
        job runs (the seeded alerts are done, nothing is in flight)."""
        d = self.demo
        last = [None]

        def same():
            passes = len(d.po.events("pass_finished"))
            wait_until(lambda: len(d.po.events("pass_finished")) > passes,
                       WAIT_S, "a poll pass", interval=0.1)
            now = self.pages()
            done = (get(now[1], "alexis_jobs_running") == 0 and
                    all(j["state"] not in ("queued", "running") and
                        j["report"]["state"] in ("sent", "failed")
                        for j in d.jobs()))
            stable, last[0] = now == last[0], now
            return done and stable
        wait_until(same, WAIT_S, "steady counters", interval=0)
        return last[0]

    def test_deltas(self):
        d = self.demo
        self.assertTrue(d.wait_done(), "the seeded alerts were not handled")
        cl0, ah0 = self.settled()
        po0 = scrape(d.po_url)
        self.assertEqual(get(cl0, "alexis_build_info",
                             version=_version(cl0)), 1)

        hit = d.sim.add_alerts({
            "message": "[Dynatrace] Long garbage-collection time on ledger",
            "tags": ["env.prod", "svc.ledger"],
            "teams": [{"name": "payments_incoming"}],
            "details": {"host": d.host}})["tinyId"]
        miss = d.sim.add_alerts({
            "message": "Something no rule knows about",
            "tags": ["env.prod"], "teams": [{"name": "payments_incoming"}],
            "details": {"host": d.host}})["tinyId"]
        wait_until(lambda: "payments_oncall" in d.teams(d.og(hit)), WAIT_S,
                   "the matching alert remediated", interval=0.1)
        wait_until(lambda: "queue_needsinvestigation" in d.teams(d.og(miss)),
                   WAIT_S, "the other alert sent to investigation",
                   interval=0.1)
        cl1, ah1 = self.settled()
        po1 = scrape(d.po_url)
        job = [j for j in d.jobs() if j.get("alert_id") == hit]
        self.assertEqual(len(job), 1, d.jobs())
        self.assertEqual(job[0]["state"], "succeeded")

        def delta(before, after, name, **labels):
            return (total(after, name, **labels) -
                    total(before, name, **labels))

        # Classifier: two alerts in, one matched and forwarded, one not;
        # one OpsGenie team write each.
        self.assertEqual(delta(cl0, cl1, "alexis_alerts_received_total",
                               feed=FEED), 2)
        self.assertEqual(delta(cl0, cl1, "alexis_classifications_total",
                               result="matched"), 1)
        self.assertEqual(delta(cl0, cl1, "alexis_classifications_total",
                               result="no_match"), 1)
        self.assertEqual(delta(cl0, cl1, "alexis_classifications_total"), 2)
        self.assertEqual(delta(cl0, cl1, "alexis_forwards_total",
                               outcome="ok"), 1)
        self.assertEqual(delta(cl0, cl1, "alexis_forwards_total",
                               outcome="failed"), 0)
        self.assertEqual(delta(cl0, cl1,
                               "alexis_classification_duration_seconds_count"),
                         2)
        self.assertEqual(delta(cl0, cl1, "alexis_ticket_writes_total",
                               system="opsgenie"), 2)

        # Action handler: one job of the rule through its states, one SSH
        # command per entity run, a note and a team on the ticket.
        for state, n in (("queued", 1), ("running", 1), ("succeeded", 1),
                         ("failed", 0), ("duplicate", 0), ("refused", 0)):
            self.assertEqual(delta(ah0, ah1, "alexis_jobs_total", rule=RULE,
                                   state=state), n, state)
        self.assertEqual(delta(ah0, ah1, "alexis_job_duration_seconds_count",
                               rule=RULE), 1)
        self.assertGreater(delta(ah0, ah1, "alexis_job_duration_seconds_sum",
                                 rule=RULE), 0)
        self.assertEqual(delta(ah0, ah1, "alexis_job_duration_seconds_bucket",
                               rule=RULE, le="+Inf"), 1)
        st, body, _ = http("GET", "%s/v1/jobs/%s" % (d.ah_url, job[0]["job"]),
                           headers={"Authorization": "Bearer " +
                                    d.token("engineer.token.json")})
        runs = len(json.loads(body)["results"])
        self.assertGreater(runs, 0)
        self.assertEqual(delta(ah0, ah1, "alexis_ssh_commands_total",
                               outcome="ok"), runs)
        self.assertEqual(delta(ah0, ah1, "alexis_ssh_commands_total"), runs)
        self.assertEqual(delta(ah0, ah1, "alexis_ticket_writes_total",
                               system="opsgenie"), 2)
        self.assertEqual(get(ah1, "alexis_jobs_running"), 0)

        # Poller (its counters move with every pass): both alerts were
        # delivered to the classifier, its passes are counted.
        self.assertGreaterEqual(delta(po0, po1, "alexis_forwards_total",
                                      outcome="ok"), 2)
        self.assertGreater(delta(po0, po1, "alexis_polls_total", feed=FEED,
                                 outcome="ok"), 0)
        self.assertEqual(total(po1, "alexis_build_info"), 1)
        self.assertNotIn("alexis_jobs_total", {n for (n, _) in po1})

        # Labels are bounded: never an alert id or a host.
        for page in (cl1, ah1, po1):
            for (_, labels) in page:
                for _, v in labels:
                    self.assertNotIn(v, (hit, miss, "127.0.0.1", d.host))
        # Every metric the Grafana example and its README query exists.
        names = ({n for (n, _) in cl1} | {n for (n, _) in ah1} |
                 families(d.cl_url) | families(d.ah_url))
        for path in ("alexis-dashboard.json", "README.md"):
            with open(os.path.join(HERE, "..", "..", "conf", "grafana",
                                   path)) as f:
                used = set(re.findall(r"\balexis_[a-z_]+", f.read()))
            self.assertTrue(used, path)
            self.assertEqual(used - names, set(), path)
        # Each daemon shows its own families.
        self.assertNotIn("alexis_jobs_total",
                         {n for (n, _) in cl1})
        self.assertNotIn("alexis_classifications_total",
                         {n for (n, _) in ah1})


def _version(page):
    for (name, labels) in page:
        if name == "alexis_build_info":
            return dict(labels)["version"]
    raise AssertionError("no alexis_build_info")


class TestMetricsToken(unittest.TestCase):
    """tokens.metrics_token: then a scraper must present one of its tokens;
    without it /metrics is open (the test above)."""

    def setUp(self):
        self.tmp = TempDir()
        self.sink = Sink()
        os.makedirs(self.tmp.join("rules"))
        conf = write_config(self.tmp, self.sink)
        with open(conf) as f:
            text = f.read()
        self.assertIn("runtime: localhost.token.json}", text)
        self.tmp.write("alexis.conf.yaml", text.replace(
            "runtime: localhost.token.json}",
            "runtime: localhost.token.json, metrics_token: scrapers.json}"))
        self.tmp.write("tokens/scrapers.json", json.dumps({"token_list": [
            {"token": token("prometheus", SCRAPER, "service")}]}))
        self.conf = conf
        self.proc, self.url = start_daemon(
            [bin_path("alexis-classifier"), "--config", conf],
            self.tmp.join("classifier.log"))

    def tearDown(self):
        rc = self.proc.stop()
        log = "\n".join(self.proc.lines())
        self.sink.close()
        self.tmp.cleanup()
        self.assertEqual(rc, 0, log)
        self.assertNotIn(SCRAPER, log)

    def test_token_needed(self):
        for hdrs in ({}, {"Authorization": "Bearer wrong"}):
            st, body, _ = http("GET", self.url + "/metrics", headers=hdrs)
            self.assertEqual(st, 401, body)
            self.assertEqual(json.loads(body)["status"], 401)
            self.assertNotIn("wrong", body)
        page = scrape(self.url, {"Authorization": "Bearer " + SCRAPER})
        self.assertEqual(total(page, "alexis_classifications_total"), 0)
        st, _, _ = http("GET", self.url + "/metrics?token=" + SCRAPER)
        self.assertEqual(st, 200)
        # The other routes keep their own tokens: a scraper is not a client.
        st, _, _ = http("POST", self.url + "/v1/classifier", {},
                        {"Authorization": "Bearer " + SCRAPER})
        self.assertEqual(st, 401)

    def test_check_names_a_missing_token_file(self):
        os.unlink(self.tmp.join("tokens", "scrapers.json"))
        r = subprocess.run([bin_path("alexis-classifier"), "--check",
                            "--config", self.conf], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("scrapers.json", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
