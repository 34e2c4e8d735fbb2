"""Integration tests of the guardrails (issue 13, DESIGN §13): the real
alexis-action-handler against a real OpenSSH sshd on 127.0.0.1-3 and
alexis-sim as the OpsGenie API. Task commands append a line to a file, so
a test counts runs by counting lines; the sim holds the notes and teams
the action handler wrote. One guardrail per test class; every wait is
bounded; every process is stopped by its pid."""
import json
import os
import re
import subprocess
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (GENIE_KEY, SimAdmin, TempDir, auth_yaml,  # noqa: E402
                     action_handler_yaml, bin_path, file_lines, fixture_envelope, http,
                     start_daemon, start_sim, token, wait_until)
from sshd import Sshd  # noqa: E402
import test_classifier as tc  # noqa: E402

CLIENT = "classifier-token-0c0ffee0"
APPROVER = "approver-token-7a7a7a7a"
LIMITED = "limited-token-5b5b5b5b"
RUNTIME = "ah-runtime-token-1234"
ADDRS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
WAIT_S = 120
INVESTIGATE = "queue_needsinvestigation"

SSHD = None


def setUpModule():
    global SSHD
    SSHD = Sshd(addresses=ADDRS)
    SSHD.start()


def tearDownModule():
    SSHD.cleanup()


class GuardCase(unittest.TestCase):
    """alexis-sim plus one action handler per test, in a temp dir."""
    extra = ""

    def setUp(self):
        self.tmp = TempDir()
        self.sim_proc, self.sim_url = start_sim(
            self.tmp.join("sim.log"), "--apply-delay-ms", "0")
        self.sim = SimAdmin(self.sim_url)
        self.proc = None
        self.kh = SSHD.known_hosts("bracket", hosts=ADDRS, name="kh_guard")
        os.makedirs(self.tmp.join("rules"))
        self.tmp.write_tokens(
            [dict(token("classifier", CLIENT), read_all=True),
             dict(token("oncall", APPROVER), approve=True),
             dict(token("webteam", LIMITED), rules=["web_*", "exact"])],
            ("action_handler", RUNTIME))
        self.tmp.write("secrets/og_key", GENIE_KEY + "\n", mode=0o600)
        self.tmp.write("alexis.conf.yaml", "\n" + auth_yaml(
            self.sim_url) + action_handler_yaml(
                "ssh_key: '%s'" % SSHD.user_key("ed25519"),
                "ssh_user: '%s'" % SSHD.user, "known_hosts: '%s'" % self.kh,
                "workers: 4", "connect_timeout: 3s", "command_timeout: 20s",
                "idempotency_window: 1h", self.extra, rules_dir=None,
                db_path=None, tokens=("clients.json", "runtime.json")))

    def tearDown(self):
        rc = self.proc.stop() if self.proc else 0
        log = "\n".join(self.proc.lines()) if self.proc else ""
        self.sim_proc.stop()
        self.tmp.cleanup()
        self.assertEqual(rc, 0, log)
        for secret in (CLIENT, APPROVER, LIMITED, RUNTIME, GENIE_KEY):
            self.assertNotIn(secret, log, "secret in the log")

    def start(self):
        self.proc, self.url = start_daemon(
            [bin_path("alexis-action-handler"), "--config",
             self.tmp.join("alexis.conf.yaml")], self.tmp.join("ah.log"))

    # -- helpers -----------------------------------------------------
    def trace(self, name):
        return self.tmp.join("runs_" + name)

    def runs(self, name):
        return len(file_lines(self.trace(name)))

    def rule(self, name, tasks=None, entities=None, **guard):
        tasks = tasks or ["echo run >> %s" % self.trace(name)]
        r = {"rule_name": name, "enabled": "true", "alert_feed": "opsgenie",
             "os_type": "linux",
             "evaluation_list": [{"evaluation": {
                 "search_key": "message", "search_text": "."}}],
             "task_list": [{"task": {"task_type": "remote_ssh",
                                     "run_command": c,
                                     "action": "act%d_%s" % (i, name)}}
                           for i, c in enumerate(tasks)],
             "entity_type": "explicit",
             "entities": entities or ["127.0.0.1:%d" % SSHD.port],
             "route_to_team": "team_after"}
        r.update(guard)
        self.tmp.write("rules/%s.json" % name, json.dumps(r))
        return r

    def alert(self, message="disk full on web1"):
        return self.sim.add_alerts({"message": message, "tags": ["t"]})

    def envelope(self, alert, r):
        env = dict(alert)
        env["alexis"] = {"feed_type": "opsgenie", "feed_name": "og",
                         "base_url": self.sim_url, "unique_key": "tinyId",
                         "unique_value": alert["tinyId"]}
        env["rule"] = r
        return env

    def post(self, alert, r, tok=CLIENT, expect=202):
        st, body, _ = http("POST", self.url + "/v1/action",
                           self.envelope(alert, r),
                           {"Authorization": "Bearer " + tok})
        self.assertEqual(st, expect, body)
        return json.loads(body)

    def control(self, job, verb, tok=APPROVER):
        st, body, _ = http("POST", "%s/v1/jobs/%s/%s" % (self.url, job, verb),
                           b"", {"Authorization": "Bearer " + tok})
        return st, json.loads(body)

    def job(self, job_id):
        st, body, _ = http("GET", self.url + "/v1/jobs/" + job_id,
                           headers={"Authorization": "Bearer " + CLIENT})
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def job_in(self, job_id, *states):
        return wait_until(lambda: (lambda j: j if j["state"] in states
                                   else None)(self.job(job_id)),
                          WAIT_S, "job %s in %s" % (job_id, states))

    def reported(self, job_id):
        """The job once its ticket report was sent."""
        return wait_until(lambda: (lambda j: j if j["report"]["state"] ==
                                   "sent" else None)(self.job(job_id)),
                          WAIT_S, "report of job %s" % job_id)

    def notes(self, alert):
        return [n["note"] for n in self.sim.alert(alert["tinyId"])["notes"]]

    def teams(self, alert):
        return [t.get("name") for t in
                self.sim.alert(alert["tinyId"])["teams"]]

    def report(self):
        """alexis-report summary of the action handler's log, as JSON."""
        out = subprocess.run([bin_path("alexis-report"), "summary",
                              "--format", "json", self.tmp.join("ah.log")],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def close_alert(self, alert):
        st, _, _ = http("POST", "%s/v2/alerts/%s/close?identifierType=tiny"
                        % (self.sim_url, urllib.parse.quote(alert["tinyId"])),
                        {"user": "a person"},
                        {"Authorization": "GenieKey " + GENIE_KEY})
        self.assertEqual(st, 202)
        wait_until(lambda: self.sim.alert(alert["tinyId"])["status"] ==
                   "closed", 10, "alert closed in the sim")


class TestCooldown(GuardCase):
    def test_two_alerts_one_run(self):
        r = self.rule("cool", cooldown={"window": "1h", "max_runs": 1})
        self.start()
        a1, a2 = self.alert(), self.alert()
        j1 = self.post(a1, r)
        j2 = self.post(a2, r)
        self.assertEqual(j1["state"], "queued")
        self.assertEqual(j2["state"], "skipped")
        self.assertEqual(j2["reason"], "cooldown")
        self.assertEqual(self.job_in(j1["job"], "succeeded")["requestor"],
                         "classifier")
        job2 = self.reported(j2["job"])
        self.assertEqual(job2["reason"], "cooldown")
        self.assertIn("cooldown", job2["detail"])
        self.assertEqual(job2["results"], [])
        self.assertEqual(self.runs("cool"), 1)
        note = "\n".join(self.notes(a2))
        self.assertIn("reason cooldown", note)
        self.assertIn(INVESTIGATE, self.teams(a2))
        self.assertNotIn("team_after", self.teams(a2))
        ev = self.proc.wait_event("job_skipped", job=j2["job"])
        self.assertEqual(ev["reason"], "cooldown")
        self.assertEqual(ev["tinyId"], a2["tinyId"])


class TestStormBreaker(GuardCase):
    extra = "  storm_breaker: {window: 1h, max_jobs: 5}"

    def test_burst_of_50(self):
        r = self.rule("storm")
        self.start()
        alerts = self.sim.add_alerts([{"message": "m%d" % i}
                                      for i in range(50)])
        answers = [None] * 50

        def send(i):
            st, body, _ = http("POST", self.url + "/v1/action",
                               self.envelope(alerts[i], r),
                               {"Authorization": "Bearer " + CLIENT})
            answers[i] = (st, json.loads(body))

        threads = [threading.Thread(target=send, args=(i,))
                   for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT_S)
        self.assertTrue(all(a is not None and a[0] == 202 for a in answers),
                        answers)
        states = [a[1]["state"] for a in answers]
        self.assertEqual(states.count("queued"), 5, states)
        self.assertEqual(states.count("skipped"), 45, states)
        for a in answers:
            self.reported(a[1]["job"])
        self.assertEqual(self.runs("storm"), 5)
        skipped = self.proc.events("job_skipped", reason="storm_breaker")
        self.assertEqual(len(skipped), 45)
        noted = [al for al, a in zip(alerts, answers)
                 if a[1]["state"] == "skipped"]
        for al in noted:
            self.assertTrue(any("reason storm_breaker" in n
                                for n in self.notes(al)), al["tinyId"])
            self.assertIn(INVESTIGATE, self.teams(al))
        rows = self.report()["guardrail_skips"]
        self.assertEqual([(r["event"], r["reason"], r["jobs"])
                          for r in rows],
                         [("job_skipped", "storm_breaker", 45)])


class TestBlastRadius(GuardCase):
    def test_more_entities_than_allowed_is_refused(self):
        ents = ["%s:%d" % (a, SSHD.port) for a in ADDRS]
        r = self.rule("blast", entities=ents, max_entities=2)
        ok = self.rule("blast_ok", entities=ents, max_entities=3)
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.assertEqual((ans["state"], ans["reason"]),
                         ("refused", "blast_radius"))
        job = self.reported(ans["job"])
        self.assertIn("3 entities", job["detail"])
        self.assertEqual(self.runs("blast"), 0)
        self.assertTrue(any("reason blast_radius" in n
                            for n in self.notes(a)))
        self.assertIn(INVESTIGATE, self.teams(a))
        self.proc.wait_event("job_refused", job=ans["job"],
                             reason="blast_radius")
        done = self.job_in(self.post(self.alert(), ok)["job"], "succeeded")
        self.assertEqual(len(done["results"]), 3)
        self.assertEqual(self.runs("blast_ok"), 3)


class TestApprove(GuardCase):
    def test_nothing_runs_until_approved(self):
        r = self.rule("appr", mode="approve")
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.assertEqual(ans["state"], "pending_approval")
        job = self.reported(ans["job"])
        self.assertEqual(job["state"], "pending_approval")
        note = "\n".join(self.notes(a))
        self.assertIn("/v1/jobs/%s/approve" % ans["job"], note)
        self.assertIn(INVESTIGATE, self.teams(a))
        self.assertEqual(self.runs("appr"), 0)
        # A client without "approve": 403 naming the rule.
        st, body = self.control(ans["job"], "approve", tok=CLIENT)
        self.assertEqual(st, 403, body)
        self.assertIn("appr", body["error"])
        self.assertEqual(self.runs("appr"), 0)
        st, body = self.control(ans["job"], "approve")
        self.assertEqual((st, body["state"]), (200, "queued"), body)
        done = self.job_in(ans["job"], "succeeded")
        self.assertEqual(done["approver"], "oncall")
        self.assertEqual(self.runs("appr"), 1)
        # Approving again is a 409 with the job's state.
        st, body = self.control(ans["job"], "approve")
        self.assertEqual(st, 409, body)
        self.assertEqual(body["state"], "succeeded")
        self.proc.wait_event("job_approved", job=ans["job"],
                             requestor="oncall", tinyId=a["tinyId"],
                             rule_name=r["rule_name"])
        wait_until(lambda: any("exit status 0" in n for n in self.notes(a)),
                   WAIT_S, "the run's report on the ticket")

    def test_reject(self):
        r = self.rule("rej", mode="approve")
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.reported(ans["job"])
        st, body = self.control(ans["job"], "reject")
        self.assertEqual((st, body["state"]), (200, "rejected"), body)
        self.reported(ans["job"])
        self.assertEqual(self.runs("rej"), 0)
        wait_until(lambda: any("was rejected by oncall" in n
                               for n in self.notes(a)), WAIT_S,
                   "the rejection noted")
        st, body = self.control(ans["job"], "approve")
        self.assertEqual((st, body["state"]), (409, "rejected"), body)

    def test_cancel_and_unknown(self):
        r = self.rule("canc", mode="approve")
        self.start()
        ans = self.post(self.alert(), r)
        st, body = self.control(ans["job"], "cancel", tok=CLIENT)
        self.assertEqual((st, body["state"]), (200, "cancelled"), body)
        st, body = self.control(ans["job"], "cancel", tok=CLIENT)
        self.assertEqual((st, body["state"]), (409, "cancelled"), body)
        self.assertEqual(self.runs("canc"), 0)
        st, body = self.control("0" * 32, "approve")
        self.assertEqual(st, 404, body)
        st, body = self.control(ans["job"], "explode")
        self.assertEqual(st, 404, body)


class TestNotify(GuardCase):
    def test_notify_runs_nothing(self):
        r = self.rule("note_only", mode="notify")
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.assertEqual((ans["state"], ans["reason"]), ("skipped", "notify"))
        self.reported(ans["job"])
        self.assertEqual(self.runs("note_only"), 0)
        self.assertTrue(any("act0_note_only" in n for n in self.notes(a)))


class TestRecheck(GuardCase):
    def test_closed_between_accept_and_start(self):
        r = self.rule("rck", mode="approve")
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.reported(ans["job"])
        self.close_alert(a)
        st, body = self.control(ans["job"], "approve")
        self.assertEqual(st, 200, body)
        job = self.job_in(ans["job"], "skipped")
        self.assertEqual(job["reason"], "alert_closed")
        self.assertEqual(self.runs("rck"), 0)
        self.proc.wait_event("job_skipped", job=ans["job"],
                             reason="alert_closed")
        wait_until(lambda: any("closed before the first command" in n
                               for n in self.notes(a)), WAIT_S,
                   "the skip noted")

    def test_recheck_off_runs_anyway(self):
        r = self.rule("norck", mode="approve", recheck=False)
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.reported(ans["job"])
        self.close_alert(a)
        self.control(ans["job"], "approve")
        self.job_in(ans["job"], "succeeded")
        self.assertEqual(self.runs("norck"), 1)


class TestVerify(GuardCase):
    def test_closed_in_time_is_verified(self):
        r = self.rule("ver", verify={"within": "20s"})
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.job_in(ans["job"], "succeeded")
        self.close_alert(a)
        ev = self.proc.wait_event("job_verified", timeout=WAIT_S,
                                  job=ans["job"])
        self.assertEqual(ev["verified"], "true")
        self.assertIs(self.job(ans["job"])["verified"], True)
        wait_until(lambda: any("Alexis: verified" in n
                               for n in self.notes(a)), WAIT_S,
                   "the verification noted")

    def test_still_open_is_not_verified(self):
        r = self.rule("unver", verify={"within": "2s"})
        self.start()
        a = self.alert()
        ans = self.post(a, r)
        self.job_in(ans["job"], "succeeded")
        ev = self.proc.wait_event("job_verified", timeout=WAIT_S,
                                  job=ans["job"])
        self.assertEqual(ev["verified"], "false")
        self.assertIs(self.job(ans["job"])["verified"], False)
        wait_until(lambda: INVESTIGATE in self.teams(a), WAIT_S,
                   "sent to the investigation queue")
        self.assertTrue(any("NOT verified" in n for n in self.notes(a)))
        row = self.report()["verified"][0]
        self.assertEqual((row["rule"], row["verifications"],
                          row["verified_pct"]), ("unver", 1, 0))


class TestOnFailure(GuardCase):
    def test_stop_is_the_default(self):
        t = self.trace("stop")
        r = self.rule("stop", tasks=["echo first >> %s; exit 3" % t,
                                     "echo second >> %s" % t])
        self.start()
        job = self.job_in(self.post(self.alert(), r)["job"], "failed")
        self.assertEqual(self.runs("stop"), 1)
        self.assertEqual([x["state"] for x in job["results"]],
                         ["failed", "skipped"])

    def test_continue(self):
        t = self.trace("cont")
        r = self.rule("cont", tasks=["echo first >> %s; exit 3" % t,
                                     "echo second >> %s" % t],
                      on_failure="continue")
        self.start()
        self.job_in(self.post(self.alert(), r)["job"], "partial")
        self.assertEqual(self.runs("cont"), 2)


class TestRestrictedToken(GuardCase):
    def test_rules_limit_the_client(self):
        web = self.rule("web_restart")
        exact = self.rule("exact")
        db = self.rule("db_restart")
        self.start()
        st, body, _ = http("POST", self.url + "/v1/action",
                           self.envelope(self.alert(), db),
                           {"Authorization": "Bearer " + LIMITED})
        self.assertEqual(st, 403, body)
        self.assertIn("db_restart", json.loads(body)["error"])
        self.assertEqual(self.runs("db_restart"), 0)
        for r in (web, exact):
            ans = self.post(self.alert(), r, tok=LIMITED)
            self.assertEqual(self.job_in(ans["job"], "succeeded")
                             ["requestor"], "webteam")
        self.assertEqual(self.runs("web_restart"), 1)
        self.proc.wait_event("action_refused", requestor="webteam",
                             rule_name="db_restart")


class TestBadRules(unittest.TestCase):
    """Rule files with bad guardrail fields: --check names file, line and
    field; the other rules keep loading."""

    def test_check_names_file_line_field(self):
        tmp = TempDir()
        try:
            base = {"rule_name": "x", "enabled": True,
                    "alert_feed": "opsgenie", "os_type": "linux",
                    "evaluation_list": [{"evaluation": {"tags": ["a"]}}],
                    "task_list": [{"task": {"task_type": "remote_ssh",
                                            "run_command": "true",
                                            "action": "a"}}],
                    "entity_type": "explicit", "entities": ["h1"]}
            bad = {"mode": ("sometimes", '"mode" must be'),
                   "cooldown": ({"window": "-5m", "max_runs": 1},
                                '"cooldown.window" must not be negative'),
                   "verify": ({"within": "soon"}, '"verify.within"'),
                   "max_entities": (0, '"max_entities"')}
            for i, (k, (v, _)) in enumerate(sorted(bad.items())):
                r = dict(base, rule_name="bad_%s" % k)
                r[k] = v
                tmp.write("rules/%d_bad_%s.json" % (i, k),
                          json.dumps(r, indent=1))
            tmp.write("rules/9_runs0.json", json.dumps(dict(
                base, rule_name="runs0", cooldown={"window": "1m",
                                                   "max_runs": 0}),
                indent=1))
            tmp.write("rules/9_notify_verify.json", json.dumps(dict(
                base, rule_name="nv", mode="notify",
                verify={"within": "1m"}), indent=1))
            tmp.write("rules/good.json", json.dumps(dict(
                base, rule_name="good", mode="approve",
                cooldown={"window": "30m", "max_runs": 2},
                verify={"within": "10m"}, on_failure="continue",
                recheck=False, max_entities=5)))
            tmp.write_tokens([("c", "t1")], ("r", "t2"))
            conf = tmp.write("alexis.conf.yaml", """
classifier:
  listener: {hostname: 127.0.0.1, port: 0}
  action_handler_destinations: {linux: 'http://127.0.0.1:1/v1'}
  default_remediation_queue: q1
  default_investigation_queue: q2
  tokens: {directory: tokens, allowed_clients: clients.json,
           runtime: runtime.json}
""")
            out = subprocess.run([bin_path("alexis-classifier"), "--check",
                                  "--config", conf], capture_output=True,
                                 text=True, timeout=30)
            self.assertEqual(out.returncode, 1, out)
            err = out.stderr
            def located(fname, msg):
                return any(re.search(r"%s:\d+:\d+: error: " %
                                     re.escape(fname), line) and msg in line
                           for line in err.splitlines())
            for i, (k, (_, msg)) in enumerate(sorted(bad.items())):
                self.assertTrue(located("%d_bad_%s.json" % (i, k), msg), err)
            self.assertTrue(located("9_runs0.json",
                                    '"cooldown.max_runs" must be an '
                                    'integer'), err)
            self.assertTrue(located("9_notify_verify.json",
                                    '"verify" cannot go with "mode": '
                                    '"notify"'), err)
            self.assertNotIn("good.json", err)
        finally:
            tmp.cleanup()


class TestPostgresStore(unittest.TestCase):
    """The store half of the guardrails on a real PostgreSQL server: the
    cmocka store tests of test_guard.c, run against a fresh database."""

    def test_store_operations_on_postgresql(self):
        from pg import Postgres
        unit = os.path.join(os.path.dirname(bin_path("x")), "..", "tests",
                            "unit_action_handler_test_guard")
        if not os.access(unit, os.X_OK):
            self.skipTest("unit_action_handler_test_guard not built")
        pg = Postgres()
        try:
            pg.start()
            env = dict(os.environ,
                       ALEXIS_TEST_PG_URI=pg.uri(pg.create_db("guard")),
                       ALEXIS_TEST_PG_PASSWORD_FILE=pg.password_file)
            out = subprocess.run([unit], env=env, capture_output=True,
                                 text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertIn("PASSED", out.stdout + out.stderr)
        finally:
            pg.stop()
            pg.cleanup()


def og_rule(name):
    return {"rule_name": name, "enabled": "true", "alert_feed": "opsgenie",
            "os_type": "linux",
            "evaluation_list": [{"evaluation": {
                "search_key": "message", "search_text": "garbage"}}],
            "task_list": [{"task": {"task_type": "remote_ssh",
                                    "run_command": "true", "action": "a"}}],
            "entity_type": "explicit", "entities": ["h1"]}


class TestClassifierLoops(tc.ClassifierCase):
    """The classifier against a sink standing in for the action handler and
    OpsGenie: an alert whose forward cannot succeed goes to the
    investigation queue with the reason instead of being offered again
    every poll; a rule that failed beside a forwarded one is reported."""
    copy_rules = False

    def setUp(self):
        super().setUp()
        for name in ("a_first", "b_second"):
            self.tmp.write("rules/%s.json" % name, json.dumps(og_rule(name)))

    def investigation_note(self):
        reqs = self.sink.wait_for("POST", "/v2/alerts/")
        teams = [r for r in self.sink.find("POST", "/v2/alerts/")
                 if r["path"].endswith("/teams")]
        return {r["json"]["team"]["name"]: r["json"].get("note", "")
                for r in teams} if reqs else {}

    def test_422_goes_to_investigation_at_once(self):
        self.sink.answer("POST", "/v1/action", 422, json.dumps(
            {"error": "unknown rule b_second", "status": 422}))
        st, _, _ = self.post(fixture_envelope(self.sink.url))
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual((fin["result"], fin["next"]),
                         ("forward_failed", "investigate"))
        # 422 is definitive: one attempt per rule, no retry.
        self.assertEqual(len(self.sink.find("POST", "/v1/action")), 2)
        marks = wait_until(lambda: (lambda m: m if INVESTIGATE in m else
                                    None)(self.investigation_note()), 10,
                           "the investigation mark")
        self.assertIn("unknown rule b_second", marks[INVESTIGATE])
        self.assertIn("rule a_first", marks[INVESTIGATE])
        self.assertNotIn("queue_autoremediation", marks)

    def test_503_is_retried_then_investigated(self):
        self.sink.answer("POST", "/v1/action", 503, json.dumps(
            {"error": "the job could not be stored; retry", "status": 503}))
        self.tmp.write("rules/b_second.json", "{}")     # one rule only
        st, _, _ = self.post(fixture_envelope(self.sink.url))
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["next"], "investigate")
        # Bounded: the first attempt and HTTP_RETRY_MAX (3) retries.
        self.assertEqual(len(self.sink.find("POST", "/v1/action")), 4)
        marks = wait_until(lambda: (lambda m: m if INVESTIGATE in m else
                                    None)(self.investigation_note()), 10,
                           "the investigation mark")
        self.assertIn("could not be stored", marks[INVESTIGATE])

    def test_partly_forwarded_is_not_hidden(self):
        self.sink.answer("POST", "/v1/action", 500, '{"error":"boom"}')
        self.sink.answer("POST", "/v1/action", 202,
                         '{"received":"5120","job":"j"}', times=1)
        st, _, _ = self.post(fixture_envelope(self.sink.url))
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual((fin["result"], fin["next"]),
                         ("partly_forwarded", "investigate"))
        marks = wait_until(lambda: (lambda m: m if len(m) == 2 else None)(
            self.investigation_note()), 10, "both marks")
        self.assertIn("queue_autoremediation", marks)
        self.assertIn("rule b_second", marks[INVESTIGATE])
        self.assertIn("1 of 2 matching rules", marks[INVESTIGATE])

    def test_transient_failure_still_retries_next_poll(self):
        self.sink.answer("POST", "/v1/action", 500, '{"error":"boom"}')
        st, _, _ = self.post(fixture_envelope(self.sink.url))
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["next"], "retry_next_poll")
        self.assertEqual(self.sink.find("POST", "/v2/alerts"), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
