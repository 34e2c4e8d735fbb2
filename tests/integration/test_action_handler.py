"""Integration tests of alexis-action-handler: the real daemon on 127.0.0.1
(listener port 0, read back from the `listening` event), a real OpenSSH sshd
on 127.0.0.1-3 (tests/integration/sshd.py) with keys and known_hosts
generated for the run, and a loopback sink standing in for the OpsGenie and
Dynatrace APIs.
Commands leave traces in files so a test proves a command ran, and ran once.
Every wait is bounded; every process is stopped by its pid."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (RUN_AS, auth_yaml, chown_tree, free_port,  # noqa: E402
                     proc_ids, run_as_user, action_handler_yaml,
                     loopback_listener)
from harness import (Sink, TempDir, at_once, bin_path,  # noqa
                     file_lines, fixture_envelope, http, start_daemon,
                     wait_until, SRC)
from pg import test_store  # noqa: E402
from sshd import Sshd  # noqa: E402

OG_KEY = "og-test-key-77aa55cc"
DT_KEY = "dt-test-key-3e3e9d9d"
# What an old poller sent as alexis.feed_headers: never to be used or logged.
REQUEST_KEY = "request-key-must-not-be-used"
CLIENT_TOKEN = "classifier-token-0c0ffee0"
RUNTIME_TOKEN = "ah-runtime-token-1234"
JOB_TIMEOUT_S = 60
ADDRS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
TERMINAL = ("succeeded", "failed", "partial", "interrupted")

SSHD = None


def setUpModule():
    global SSHD
    SSHD = Sshd(addresses=ADDRS)
    SSHD.start()


def tearDownModule():
    SSHD.cleanup()


def envelope(base_url, unique="5120", details=None):
    doc = fixture_envelope(base_url, unique=unique)
    if details is not None:
        doc["details"] = details
    return doc


def dt_envelope(version, base_url):
    """A Dynatrace v1 or v2 problem as the poller forwards it, carrying the
    old poller's feed_headers (which must never be used)."""
    doc = fixture_envelope(base_url, "dynatrace-v%d.json" % version)
    doc["alexis"]["feed_headers"] = {"Authorization": "Api-Token " +
                                     REQUEST_KEY}
    return doc


def rule(name, command, entities=None, keyvalue=None, timeout=None,
         enabled="true", tasks=None, team="team_after", feed="opsgenie"):
    task = {"task_type": "remote_ssh", "run_command": command,
            "action": "act_" + name, "action_reason": "why_" + name}
    if timeout:
        task["timeout"] = timeout
    r = {"enabled": enabled, "os_type": "linux", "rule_name": name,
         "alert_feed": feed, "rule_version": "1",
         "evaluation_list": [{"evaluation": {"tags": [],
                                             "search_key": "message",
                                             "search_text": "."}}],
         "task_list": [{"task": t} for t in (tasks or [task])],
         "route_to_team": team}
    if keyvalue is not None:
        r["entity_type"] = "keyvalue"
        r["entity_keyvalue"] = keyvalue
    else:
        r["entity_type"] = "explicit"
        r["entities"] = entities or ["127.0.0.1:%d" % SSHD.port]
    return r


class AhCase(unittest.TestCase):
    """One daemon per test, with its own temp dir, rules, DB and sink."""
    extra = ""
    workers = 2
    development = "false"
    key = "ed25519"
    known_hosts_form = "bracket"

    def setUp(self):
        self.tmp = TempDir()
        self.sink = Sink()
        self.proc = None
        self.kh = SSHD.known_hosts(self.known_hosts_form, hosts=ADDRS,
                                   name="kh_%s" % self.known_hosts_form)
        os.makedirs(self.tmp.join("rules"))
        self.conf = self.write_config()

    def write_config(self, extra=None, known_hosts=None, key=None):
        self.tmp.write_tokens([("classifier", CLIENT_TOKEN)],
                              ("action_handler", RUNTIME_TOKEN))
        self.tmp.write("secrets/og_key", OG_KEY + "\n", mode=0o600)
        self.tmp.write("secrets/dt_key", DT_KEY + "\n", mode=0o600)
        conf = "\nversion: '2.060'\n" + auth_yaml(
            self.sink.url, dt={"api_key_file": "secrets/dt_key"}) + \
            action_handler_yaml(
                "development: '%s'" % self.development,
                "ssh_key: '%s'" % (key or SSHD.user_key(self.key)),
                "ssh_user: '%s'" % SSHD.user,
                "known_hosts: '%s'" % (known_hosts or self.kh),
                "workers: %d" % self.workers, self.store_conf(),
                "connect_timeout: 3s", "command_timeout: 20s",
                extra if extra is not None else self.extra,
                listener=loopback_listener(extra=", protocol: http"),
                rules_dir=None, db_path=None,
                tokens=("clients.json", "runtime.json")) + """\
classifier:
  default_remediation_queue: x
"""
        return self.tmp.write("alexis.conf.yaml", conf)

    def store_conf(self):
        """The job_store lines: SQLite (the default) unless test_pg.py
        runs this module against PostgreSQL (a fresh database per test)."""
        if not hasattr(self, "_store"):
            self._store = test_store()
        if self._store is None:
            return ""
        return ("  job_store: '%s'\n  job_store_password_file: '%s'" %
                self._store)

    def listed(self, port):
        """known_hosts lists 127.0.0.1:port, so the job connects (an
        unlisted entity is refused before any connection)."""
        kh = self.tmp.write("kh_%d" % port, "%s\n[127.0.0.1]:%d %s\n" % (
            open(self.kh).read().strip(), port, SSHD.host_pub["ed25519"]))
        self.conf = self.write_config(known_hosts=kh)

    def start(self, log="ah.log"):
        self.proc, self.url = start_daemon(
            [bin_path("alexis-action-handler"), "--config", self.conf],
            self.tmp.join(log))

    def tearDown(self):
        rc = self.proc.stop() if self.proc else 0
        self.sink.close()
        log = "\n".join(self.proc.lines()) if self.proc else ""
        self.tmp.cleanup()
        self.assertEqual(rc, 0, log)
        for secret in (OG_KEY, DT_KEY, REQUEST_KEY, CLIENT_TOKEN,
                       RUNTIME_TOKEN, "GenieKey", "Api-Token",
                       SSHD.passphrase):
            self.assertNotIn(secret, log, "secret in the log")

    def add_rule(self, r):
        self.tmp.write("rules/%s.json" % r["rule_name"], json.dumps(r))
        return r

    def trace(self, name):
        p = self.tmp.join("trace_%s" % name)
        return p

    def post(self, body, token=CLIENT_TOKEN):
        h = {"Authorization": "Bearer " + token} if token else {}
        return http("POST", self.url + "/v1/action", body, h)

    def action(self, r, unique="5120", details=None, expect=202):
        env = envelope(self.sink.url, unique, details)
        env["rule"] = r
        st, body, _ = self.post(env)
        self.assertEqual(st, expect, body)
        return json.loads(body)

    def job(self, job_id):
        st, body, _ = http("GET", self.url + "/v1/jobs/" + job_id,
                           headers={"Authorization": "Bearer " +
                                    CLIENT_TOKEN})
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def finished(self, job_id, timeout=JOB_TIMEOUT_S):
        self.proc.wait_event("job_finished", timeout=timeout, job=job_id)
        return self.job(job_id)

    def note(self, count=1):
        got = self.sink.wait_for("POST", "/v2/alerts/", count=count,
                                 timeout=JOB_TIMEOUT_S)
        return [r for r in got if r["path"].endswith("/notes")]


class TestRun(AhCase):
    def test_success_runs_once_and_notes(self):
        t = self.trace("ok")
        r = self.add_rule(rule("ok", "echo ran >> %s; echo hello; "
                               "echo oops >&2" % t))
        self.start()
        ans = self.action(r)
        self.assertEqual(ans["received"], "5120")
        self.assertEqual(len(ans["job"]), 32)
        job = self.finished(ans["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(job["rule_name"], "ok")
        self.assertEqual(job["alert_id"], "5120")
        res = job["results"][0]
        self.assertEqual(res["exit_status"], 0)
        self.assertIsNone(res["signal"])
        self.assertEqual(res["stdout"], "hello\n")
        self.assertEqual(res["stderr"], "oops\n")
        self.assertFalse(res["truncated"])
        self.assertEqual(res["entity"], "127.0.0.1:%d" % SSHD.port)
        self.assertEqual(file_lines(t), ["ran"])
        reqs = self.sink.wait_for("POST", "/v2/alerts/", count=2,
                                  timeout=JOB_TIMEOUT_S)
        note = [q for q in reqs if q["path"].endswith("/notes")][0]
        self.assertEqual(note["headers"]["authorization"],
                         "GenieKey " + OG_KEY)
        self.assertIn("rule ok", note["json"]["note"])
        self.assertIn("exit status 0", note["json"]["note"])
        self.assertIn("hello", note["json"]["note"])
        team = [q for q in reqs if q["path"].endswith("/teams")][0]
        self.assertEqual(team["json"]["team"]["name"], "team_after")
        self.proc.wait_event("ticket_team_added", job=ans["job"])
        for ev in ("ActionStart", "ActionResult", "ActionFinished"):
            e = self.proc.events(ev, job=ans["job"])[0]
            self.assertEqual(e["tinyId"], "5120")
            self.assertEqual(e["rule_name"], "ok")
            self.assertEqual(e["action"], "act_ok")
            self.assertEqual(e["action_reason"], "why_ok")
            self.assertIn("app_elapsed_ms", e)
        self.assertEqual(self.proc.events("ActionFinished")[0]
                         ["action_status"], "succeeded")
        self.assertNotIn("hello", "\n".join(self.proc.lines()))
        report = self.job(ans["job"])["report"]
        self.assertEqual(report["state"], "sent")
        self.assertEqual(report["attempts"], 2)     # note + team, no retry

    def test_several_entities_in_parallel(self):
        t = self.trace("many")
        ents = ["%s:%d" % (a, SSHD.port) for a in ADDRS]
        r = self.add_rule(rule("many", "echo $SSH_CONNECTION | "
                               "cut -d' ' -f3 >> %s" % t, entities=ents))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(sorted(x["entity"] for x in job["results"]),
                         sorted(ents))
        self.assertEqual(sorted(file_lines(t)), sorted(ADDRS))

    def test_keyvalue_nested_array(self):
        t = self.trace("kv")
        r = self.add_rule(rule("kv", "echo x >> %s" % t,
                               keyvalue=["details", "hosts", "list"]))
        self.start()
        det = {"hosts": {"list": ["127.0.0.2:%d" % SSHD.port,
                                  "127.0.0.3:%d" % SSHD.port]}}
        job = self.finished(self.action(r, details=det)["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(file_lines(t), ["x", "x"])

    def test_two_tasks_in_order_partial(self):
        t = self.trace("order")
        tasks = [{"task_type": "remote_ssh", "run_command":
                  "echo one >> %s" % t, "action": "a1",
                  "action_reason": "r1", "delay_after": "1s"},
                 {"task_type": "remote_ssh", "run_command":
                  "echo two >> %s; exit 3" % t, "action": "a2",
                  "action_reason": "r2"}]
        r = self.add_rule(rule("order", "", tasks=tasks))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "partial", job)
        self.assertEqual(file_lines(t), ["one", "two"])
        self.assertEqual([x["exit_status"] for x in job["results"]], [0, 3])
        self.assertIn("1 of 2", job["reason"])

    def test_duplicate_runs_nothing(self):
        t = self.trace("dup")
        r = self.add_rule(rule("dup", "echo ran >> %s" % t))
        self.start()
        first = self.action(r)
        second = self.action(r, expect=200)
        self.assertEqual(second["job"], first["job"])
        self.assertTrue(second["duplicate"])
        self.finished(first["job"])
        third = self.action(r, unique="5999")
        self.assertNotEqual(third["job"], first["job"])
        self.finished(third["job"])
        self.assertEqual(file_lines(t), ["ran", "ran"])
        self.assertEqual(len(self.proc.events("job_started")), 2)

    def test_concurrent_duplicates_create_one_job(self):
        r = self.add_rule(rule("conc", "true"))
        self.start()
        env = envelope(self.sink.url, "777")
        env["rule"] = r
        out = at_once(8, lambda i: self.post(env), JOB_TIMEOUT_S)
        codes = sorted(s for s, _, _ in out)
        self.assertEqual(codes, [200] * 7 + [202], out)
        self.assertEqual(len({json.loads(b)["job"] for _, b, _ in out}), 1)

    def test_jobs_list_ping_and_404(self):
        r = self.add_rule(rule("lst", "true"))
        self.start()
        ids = [self.action(r, unique=str(9000 + i))["job"] for i in range(3)]
        for i in ids:
            self.finished(i)
        h = {"Authorization": "Bearer " + CLIENT_TOKEN}
        st, body, _ = http("GET", self.url + "/v1/jobs?limit=2", headers=h)
        self.assertEqual(st, 200, body)
        self.assertEqual([j["job"] for j in json.loads(body)["jobs"]],
                         ids[::-1][:2])
        st, body, _ = http("GET", self.url + "/v1/jobs?limit=0", headers=h)
        self.assertEqual(st, 400, body)
        st, _, _ = http("GET", self.url + "/v1/jobs/" + "0" * 32, headers=h)
        self.assertEqual(st, 404)
        st, _, _ = http("GET", self.url + "/v1/jobs/../etc", headers=h)
        self.assertEqual(st, 404)
        st, _, _ = http("GET", self.url + "/v1/jobs/" + ids[0])
        self.assertEqual(st, 401)
        # Without a token, ping says alive or not and nothing more (no job
        # counts, no development flag, no store details).
        st, body, _ = http("GET", self.url + "/v1/ping")
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body), {"status": "ok"})
        st, body, _ = http("GET", self.url + "/v1/ping", headers=h)
        self.assertEqual(st, 200, body)
        doc = json.loads(body)
        self.assertTrue(doc["runtime_token_readable"])
        self.assertEqual(doc["jobs"]["succeeded"], 3)



class TestJobQueries(AhCase):
    """GET /v1/jobs filters and cursor (dry run: no host needed)."""
    development = "true"

    def list(self, query, expect=200):
        st, body, _ = http("GET", self.url + "/v1/jobs?" + query,
                           headers={"Authorization": "Bearer " +
                                    CLIENT_TOKEN})
        self.assertEqual(st, expect, body)
        return json.loads(body)

    def test_filters_and_pages(self):
        ra = self.add_rule(rule("qa", "true"))
        rb = self.add_rule(rule("qb", "true"))
        self.start()
        ids = {}
        for i, r in enumerate((ra, rb, ra, rb, ra)):
            ids[str(7000 + i)] = self.action(r, unique=str(7000 + i))["job"]
        for j in ids.values():
            self.finished(j)

        def alerts(doc):
            return [j["received"] for j in doc["jobs"]]
        doc = self.list("")
        self.assertEqual(alerts(doc), ["7004", "7003", "7002", "7001",
                                       "7000"])
        self.assertIsNone(doc["next_cursor"])
        self.assertEqual(alerts(self.list("rule=qa")), ["7004", "7002",
                                                        "7000"])
        self.assertEqual(alerts(self.list("alert=7003")), ["7003"])
        self.assertEqual(self.list("alert=7003")["jobs"][0]["job"],
                         ids["7003"])
        self.assertEqual(len(self.list("state=succeeded&since=1h")["jobs"]),
                         5)
        self.assertEqual(self.list("state=failed")["jobs"], [])
        self.assertEqual(self.list("since=2999-01-01")["jobs"], [])
        self.assertEqual(len(self.list("since=2000-01-01T00:00:00Z")
                             ["jobs"]), 5)
        # Pages of two, following next_cursor; a new job in between shows
        # up on no later page.
        page = self.list("limit=2&rule=qa")
        self.assertEqual(alerts(page), ["7004", "7002"])
        self.action(ra, unique="7100")
        page = self.list("limit=2&rule=qa&cursor=" + page["next_cursor"])
        self.assertEqual(alerts(page), ["7000"])
        self.assertIsNone(page["next_cursor"])

    def test_bad_values_name_the_parameter(self):
        self.start()
        for query, name in (("state=done", "state"), ("since=yesterday",
                            "since"), ("cursor=abc", "cursor"),
                            ("rule=", "rule"), ("alert=", "alert"),
                            ("limit=1000", "limit"), ("limit=-1", "limit"),
                            ("since=", "since")):
            doc = self.list(query, expect=400)
            self.assertEqual(doc["status"], 400)
            self.assertTrue(doc["error"].startswith(name + ": "),
                            (query, doc))



class TestReportFromJobStore(AhCase):
    """alexis-report --jobs DB gives the tables the logs give: the same
    runs, rules, entities, failure reasons and durations (times aside: a
    log line is written a moment after its result row)."""

    def report(self, cmd, source):
        r = subprocess.run([bin_path("alexis-report"), cmd, "--format",
                            "json"] + source, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        doc.pop("input", None)
        for rows in doc.values():
            for row in rows:
                for k in ("first", "last"):
                    row.pop(k, None)
        return doc

    def test_same_tables_as_the_logs(self):
        port = SSHD.port
        ok = self.add_rule(rule("rok", "true"))
        bad = self.add_rule(rule("rbad", "echo no >&2; exit 3"))
        closed = free_port()
        mix = self.add_rule(rule(
            "rmix", "test \"$(echo $SSH_CONNECTION | cut -d' ' -f3)\" = "
            "127.0.0.1", entities=["127.0.0.1:%d" % port,
                                   "127.0.0.2:%d" % port,
                                   "127.0.0.1:%d" % closed]))
        # The closed port is in known_hosts, so the job tries it (and
        # fails to connect) instead of refusing it before any connection.
        self.listed(closed)
        self.start()
        jobs = [self.action(r, unique=str(6000 + i))["job"]
                for i, r in enumerate((ok, bad, mix, ok))]
        # (On a loaded machine an SSH connection may time out: the
        # comparison holds whatever each run's outcome was.)
        states = [self.finished(j)["state"] for j in jobs]
        self.assertEqual(states[1], "failed")
        expected = sum(len(self.job(j)["results"]) for j in jobs)
        self.assertGreaterEqual(expected, 2)
        self.assertEqual(self.proc.stop(), 0)
        log, db = [self.tmp.join("ah.log")], ["--jobs",
                                              self.tmp.join("action_handler.db")]
        for cmd in ("summary", "runs", "failures", "durations"):
            from_log, from_db = self.report(cmd, log), self.report(cmd, db)
            self.assertEqual(from_db, from_log, cmd)
        runs = self.report("runs", db)
        self.assertEqual(sum(r["runs"] for r in runs["runs"]), expected, runs)
        fails = self.report("failures", db)["failures"]
        self.assertGreaterEqual(sum(f["failures"] for f in fails), 1, fails)
        if states == ["succeeded", "failed", "partial", "succeeded"]:
            reasons = sorted(f["reason"] for f in fails)
            self.assertEqual(reasons[1:], ["exit status 1", "exit status 3"])
            self.assertTrue(reasons[0].startswith("connect to 127.0.0.1 "
                                                  "port"), reasons)
        # The input table says where the runs came from.
        r = subprocess.run([bin_path("alexis-report"), "summary", "--jobs",
                            db[1]], capture_output=True, text=True,
                           timeout=60)
        self.assertIn("job_results", r.stdout)
        self.proc = None

    def test_bad_store_and_mixed_sources(self):
        self.tmp.write("not-a-db", "hello\n")
        for args, msg in (
                (["--jobs", self.tmp.join("nope.db")], "nope.db"),
                (["--jobs", self.tmp.join("not-a-db")], "not-a-db"),
                (["--jobs", self.tmp.join("not-a-db"), "x.log"],
                 "one or the other"),
                (["trace", "5120", "--jobs", self.tmp.join("x.db")],
                 "trace reads log lines")):
            r = subprocess.run([bin_path("alexis-report")] + args,
                               capture_output=True, text=True, timeout=60)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(msg, r.stderr, args)
        self.assertFalse(os.path.exists(self.tmp.join("nope.db")))


class TestBadInput(AhCase):
    def setUp(self):
        super().setUp()
        self.add_rule(rule("known", "true"))
        self.add_rule(rule("off", "true", enabled="false"))
        self.start()

    def test_401(self):
        env = envelope(self.sink.url)
        env["rule"] = {"rule_name": "known"}
        self.assertEqual(self.post(env, token=None)[0], 401)
        st, body, _ = self.post(env, token="wrong")
        self.assertEqual(st, 401)
        self.assertNotIn("wrong", body)

    def test_400(self):
        st, body, _ = self.post("{not json")
        self.assertEqual(st, 400, body)
        self.assertIn("request body", json.loads(body)["error"])
        env = envelope(self.sink.url)
        st, body, _ = self.post(env)
        self.assertEqual(st, 400)
        self.assertIn("rule", json.loads(body)["error"])
        env["rule"] = {"rule_name": 7}
        self.assertEqual(self.post(env)[0], 400)
        del env["alexis"]
        env["rule"] = {"rule_name": "known"}
        self.assertEqual(self.post(env)[0], 400)

    def test_422_unknown_or_disabled_rule(self):
        for name, why in (("nope", "unknown rule"), ("off", "disabled")):
            env = envelope(self.sink.url)
            env["rule"] = rule(name, "touch /tmp/never")
            st, body, _ = self.post(env)
            self.assertEqual(st, 422, body)
            self.assertIn(why, json.loads(body)["error"])
        h = {"Authorization": "Bearer " + CLIENT_TOKEN}
        st, body, _ = http("GET", self.url + "/v1/jobs", headers=h)
        self.assertEqual(json.loads(body)["jobs"], [])

    def test_request_command_is_ignored(self):
        t = self.trace("evil")
        env = envelope(self.sink.url)
        env["rule"] = rule("known", "echo evil >> %s" % t)
        st, body, _ = self.post(env)
        self.assertEqual(st, 202, body)
        job = self.finished(json.loads(body)["job"])
        self.assertEqual(job["state"], "succeeded")
        self.assertEqual(file_lines(t), [])

    def test_405_and_415(self):
        h = {"Authorization": "Bearer " + CLIENT_TOKEN}
        self.assertEqual(http("GET", self.url + "/v1/action",
                              headers=h)[0], 405)
        h["Content-Type"] = "text/plain"
        self.assertEqual(http("POST", self.url + "/v1/action", b"x",
                              headers=h)[0], 415)


class TestJobFailures(AhCase):
    def run_rule(self, r, details=None):
        self.add_rule(r)
        if self.proc is None:
            self.start()
        job = self.finished(self.action(r, details=details)["job"])
        return job

    def note_text(self):
        return self.note()[0]["json"]["note"]

    def test_entity_path_missing(self):
        job = self.run_rule(rule("miss", "true",
                                 keyvalue=["details", "nohost"]))
        self.assertEqual(job["state"], "failed")
        self.assertIn("details.nohost not found", job["reason"])
        self.assertEqual(job["results"], [])
        self.assertIn("details.nohost not found", self.note_text())

    def test_invalid_entity_runs_nothing(self):
        t = self.trace("inv")
        job = self.run_rule(rule("inv", "echo x >> %s" % t,
                                 keyvalue=["details", "host"]),
                            details={"host": ["127.0.0.1:%d" % SSHD.port,
                                              "-oProxyCommand=sh"]})
        self.assertEqual(job["state"], "failed")
        self.assertIn("not a valid host", job["reason"])
        self.assertEqual(file_lines(t), [])
        self.assertIn("not a valid host", self.note_text())

    def test_connection_refused(self):
        port = free_port()
        self.listed(port)
        job = self.run_rule(rule("refused", "true",
                                 entities=["127.0.0.1:%d" % port]))
        self.assertEqual(job["state"], "failed")
        self.assertEqual(job["results"][0]["outcome"], "connect_failed")
        self.assertIsNone(job["results"][0]["exit_status"])
        self.assertIn("connect_failed", self.note_text())

    def test_host_unreachable_times_out(self):
        # A listener that never speaks SSH stands in for a host that does
        # not answer (tests stay on loopback).
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        self.listed(s.getsockname()[1])
        try:
            job = self.run_rule(rule("silent", "true", entities=[
                "127.0.0.1:%d" % s.getsockname()[1]]))
        finally:
            s.close()
        self.assertEqual(job["state"], "failed")
        self.assertEqual(job["results"][0]["outcome"], "connect_failed")
        self.assertLess(job["results"][0]["duration_ms"], 10000)

    def test_command_timeout(self):
        job = self.run_rule(rule("slow", "sleep 30", timeout="1s"))
        self.assertEqual(job["state"], "failed")
        self.assertEqual(job["results"][0]["outcome"], "timeout")
        self.assertLess(job["results"][0]["duration_ms"], 10000)

    def test_killed_by_signal(self):
        job = self.run_rule(rule("sig", "echo before; kill -KILL $$"))
        res = job["results"][0]
        self.assertEqual(job["state"], "failed")
        self.assertEqual(res["signal"], "KILL")
        self.assertIsNone(res["exit_status"])
        self.assertIn("signal KILL", self.note_text())

    def test_one_mib_of_output_is_capped(self):
        job = self.run_rule(rule("big", "head -c 1048576 /dev/zero | "
                                 "tr '\\000' a; echo done >&2"))
        res = job["results"][0]
        self.assertEqual(job["state"], "succeeded")
        self.assertTrue(res["truncated"])
        self.assertEqual(len(res["stdout"]), 64 * 1024)
        self.assertEqual(res["stderr"], "done\n")
        note = self.note_text()
        self.assertLess(len(note), 25000)
        self.assertIn("output truncated", note)

    def test_ticket_429_then_500_is_logged_failed(self):
        self.sink.answer("POST", "/v2/alerts/", 429, "{}", times=1)
        self.sink.answer("POST", "/v2/alerts/", 500, "{}")
        self.add_rule(rule("tk", "true"))
        self.start()
        job_id = self.action(rule("tk", "true"))["job"]
        ev = self.proc.wait_event("ticket_note_failed", timeout=JOB_TIMEOUT_S,
                                  job=job_id)
        self.assertEqual(ev["attempts"], "4")
        self.assertEqual(len(self.sink.find("POST", "/v2/alerts/")), 4)
        job = self.job(job_id)
        self.assertEqual(job["state"], "succeeded")
        self.assertEqual(job["report"]["state"], "failed")
        self.assertIn("HTTP 500", job["report"]["error"])
        self.assertEqual(job["report"]["attempts"], 4)

    def test_ticket_429_then_accepted_counts_every_attempt(self):
        self.sink.answer("POST", "/v2/alerts/", 429, "{}", times=1)
        self.add_rule(rule("tk2", "true"))
        self.start()
        job_id = self.action(rule("tk2", "true"))["job"]
        ev = self.proc.wait_event("ticket_noted", timeout=JOB_TIMEOUT_S,
                                  job=job_id)
        self.assertEqual(ev["attempts"], "2")
        self.proc.wait_event("ticket_team_added", timeout=JOB_TIMEOUT_S,
                             job=job_id)
        wait_until(lambda: self.job(job_id)["report"]["state"] == "sent",
                   JOB_TIMEOUT_S, "the report sent")
        # The note took two requests, the team one.
        self.assertEqual(self.job(job_id)["report"]["attempts"], 3)
        self.assertEqual(len(self.sink.find("POST", "/v2/alerts/")), 3)


class TestDynatrace(AhCase):
    """The result goes back as a problem comment: v1 comment + user +
    context, v2 message + context; the key is ours, never the request's."""

    def run_problem(self, version):
        t = self.trace("dt%d" % version)
        name = "dt%d" % version
        self.add_rule(rule(name, "echo ran >> %s; echo dt-out" % t,
                           feed="dynatrace"))
        # Dynatrace answers a new comment with 201 and the comment.
        self.sink.answer("POST", "/api/", 201, json.dumps(
            {"id": "c-1", "createdAtTimestamp": 1, "content": "x"}))
        self.start()
        env = dt_envelope(version, self.sink.url)
        env["rule"] = {"rule_name": name}
        st, body, _ = self.post(env)
        self.assertEqual(st, 202, body)
        job_id = json.loads(body)["job"]
        job = self.finished(job_id)
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(file_lines(t), ["ran"])
        ev = self.proc.wait_event("ticket_noted", timeout=JOB_TIMEOUT_S,
                                  job=job_id)
        pid = env["problemId"] if version == 2 else env["id"]
        self.assertEqual(job["alert_id_key"], "problem_id")
        self.assertEqual(job["alert_id"], pid)
        self.assertEqual(ev["problem_id"], pid)
        self.assertEqual(ev["status"], "201")
        self.assertEqual(ev["attempts"], "1")
        wait_until(lambda: self.job(job_id)["report"]["state"] == "sent",
                   JOB_TIMEOUT_S, "the report sent")
        self.assertEqual(self.job(job_id)["report"]["attempts"], 1)
        reqs = self.sink.find("POST")
        self.assertEqual(len(reqs), 1, [q["path"] for q in reqs])
        req = reqs[0]
        self.assertEqual(req["headers"]["authorization"],
                         "Api-Token " + DT_KEY)
        self.assertIn("application/json", req["headers"]["content-type"])
        self.assertNotIn(REQUEST_KEY, json.dumps(self.sink.requests))
        self.assertEqual(req["query"], "")
        return job_id, pid, req

    def assert_text(self, text, job_id, name):
        self.assertIn("rule %s" % name, text)
        self.assertIn(job_id, text)
        self.assertIn("exit status 0", text)
        self.assertIn("dt-out", text)

    def test_v1_problem_comment(self):
        job_id, pid, req = self.run_problem(1)
        self.assertEqual(req["path"],
                         "/api/v1/problem/details/%s/comments" % pid)
        self.assertEqual(sorted(req["json"]), ["comment", "context", "user"])
        self.assertEqual(req["json"]["user"], "Alexis")
        self.assertEqual(req["json"]["context"], "Alexis")
        self.assert_text(req["json"]["comment"], job_id, "dt1")

    def test_v2_problem_comment(self):
        job_id, pid, req = self.run_problem(2)
        self.assertEqual(req["path"], "/api/v2/problems/%s/comments" % pid)
        self.assertEqual(sorted(req["json"]), ["context", "message"])
        self.assertEqual(req["json"]["context"], "Alexis")
        self.assert_text(req["json"]["message"], job_id, "dt2")


class TestRequestCommandsOff(AhCase):
    def test_unknown_rule_is_422_and_runs_nothing(self):
        t = self.trace("carried")
        self.add_rule(rule("known", "true"))
        self.start()
        env = envelope(self.sink.url)
        env["rule"] = rule("carried", "echo carried >> %s" % t)
        st, body, _ = self.post(env)
        self.assertEqual(st, 422, body)
        self.assertIn("unknown rule carried", json.loads(body)["error"])
        ev = self.proc.wait_event("action_refused", rule_name="carried")
        self.assertEqual(ev["status"], "422")
        h = {"Authorization": "Bearer " + CLIENT_TOKEN}
        st, body, _ = http("GET", self.url + "/v1/jobs", headers=h)
        self.assertEqual(json.loads(body)["jobs"], [])
        self.assertEqual(self.proc.events("job_queued"), [])
        self.assertEqual(self.proc.events("request_commands_allowed"), [])
        self.assertEqual(self.proc.events("request_commands_used"), [])
        self.assertEqual(file_lines(t), [])


class TestRequestCommandsOn(AhCase):
    extra = "  allow_request_commands: true"

    def test_runs_the_request_rule_and_warns(self):
        t = self.trace("carried")
        self.start()
        ev = self.proc.wait_event("request_commands_allowed")
        self.assertEqual(ev["level"], "warn")
        r = rule("carried", "echo carried >> %s" % t)
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(job["rule_name"], "carried")
        self.assertEqual(file_lines(t), ["carried"])
        ev = self.proc.wait_event("request_commands_used",
                                  rule_name="carried")
        self.assertEqual(ev["level"], "warn")
        self.assertEqual(ev["tinyId"], "5120")

    def test_our_rule_still_wins_and_disabled_stays_refused(self):
        mine, theirs = self.trace("mine"), self.trace("theirs")
        self.add_rule(rule("known", "echo disk >> %s" % mine))
        self.add_rule(rule("off", "echo off >> %s" % mine, enabled="false"))
        self.start()
        job = self.finished(self.action(rule(
            "known", "echo evil >> %s" % theirs))["job"])
        self.assertEqual(job["state"], "succeeded", job)
        env = envelope(self.sink.url, unique="5121")
        env["rule"] = rule("off", "echo evil >> %s" % theirs)
        st, body, _ = self.post(env)
        self.assertEqual(st, 422, body)
        self.assertIn("disabled", json.loads(body)["error"])
        self.assertEqual(file_lines(mine), ["disk"])
        self.assertEqual(file_lines(theirs), [])
        self.assertEqual(self.proc.events("request_commands_used"), [])


class TestPassphrase(AhCase):
    key = "passphrase"

    def run_job(self, extra):
        self.conf = self.write_config(extra=extra)
        t = self.trace("pp")
        r = self.add_rule(rule("pp", "echo ran >> %s" % t))
        self.start()
        return self.finished(self.action(r)["job"]), file_lines(t)

    def test_key_with_passphrase_file(self):
        job, ran = self.run_job("  ssh_key_passphrase_file: '%s'" %
                                SSHD.passphrase_file)
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(ran, ["ran"])

    def test_wrong_passphrase_runs_nothing(self):
        bad = self.tmp.write("secrets/bad_pass", "not the passphrase\n",
                             mode=0o600)
        job, ran = self.run_job("  ssh_key_passphrase_file: '%s'" % bad)
        self.assertEqual(job["state"], "failed", job)
        res = job["results"][0]
        self.assertEqual(res["outcome"], "local_error")
        self.assertIn("private key", res["error"])
        self.assertEqual(ran, [])

    def test_key_without_pub_file(self):
        # No id.pub beside the key: the public key comes from the key
        # file's header and the key is given from memory.
        key = self.tmp.join("keys", "id")
        os.makedirs(os.path.dirname(key))
        with open(SSHD.user_key("passphrase")) as f:
            self.tmp.write("keys/id", f.read(), mode=0o600)
        self.conf = self.write_config(key=key, extra=(
            "  ssh_key_passphrase_file: '%s'" % SSHD.passphrase_file))
        t = self.trace("nopub")
        r = self.add_rule(rule("nopub", "echo ran >> %s" % t))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(file_lines(t), ["ran"])
        bad = self.tmp.write("secrets/bad_pass", "nope\n", mode=0o600)
        self.assertEqual(self.proc.stop(), 0)
        self.conf = self.write_config(key=key, extra=(
            "  ssh_key_passphrase_file: '%s'" % bad))
        self.start("ah2.log")
        job = self.finished(self.action(r, unique="5121")["job"])
        self.assertEqual(job["state"], "failed", job)
        self.assertEqual(job["results"][0]["outcome"], "local_error")
        self.assertEqual(file_lines(t), ["ran"])

    def test_without_passphrase_file_runs_nothing(self):
        job, ran = self.run_job("")
        self.assertEqual(job["state"], "failed", job)
        self.assertEqual(job["results"][0]["outcome"], "local_error")
        self.assertEqual(ran, [])


class TestEntityAllow(AhCase):
    # Host parts must match a pattern as a whole: 127.0.0.10 is not
    # allowed by 127\.0\.0\.1.
    extra = "  entity_allow: ['127\\.0\\.0\\.1', '127\\.0\\.0\\.2']"

    def test_allowed_entities_run(self):
        t = self.trace("ok")
        ents = ["%s:%d" % (a, SSHD.port) for a in ADDRS[:2]]
        r = self.add_rule(rule("allowed", "echo x >> %s" % t,
                               entities=ents))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(file_lines(t), ["x", "x"])

    def test_entity_outside_the_list_fails_the_job(self):
        t = self.trace("deny")
        hosts = ("127.0.0.3", "127.0.0.10")
        rules = [self.add_rule(rule("deny%d" % i, "echo x >> %s" % t,
                                    entities=["127.0.0.1:%d" % SSHD.port,
                                              "%s:%d" % (h, SSHD.port)]))
                 for i, h in enumerate(hosts)]
        self.start()
        for i, host in enumerate(hosts):
            job = self.finished(self.action(rules[i],
                                            unique=str(600 + i))["job"])
            self.assertEqual(job["state"], "failed", job)
            why = "entity %s is not allowed by entity_allow" % host
            self.assertIn(why, job["reason"])
            self.assertEqual(job["results"], [])
            notes = [q["json"]["note"] for q in self.note(count=2 * (i + 1))
                     if q["path"].endswith("/notes")]
            self.assertTrue(any(why in n for n in notes), notes)
        self.assertEqual(file_lines(t), [])
        self.assertEqual(self.proc.events("ActionStart"), [])


class TestSshRefusals(AhCase):
    def run_with(self, known_hosts=None, key=None):
        self.conf = self.write_config(known_hosts=known_hosts, key=key)
        t = self.trace("ref")
        r = self.add_rule(rule("ref", "echo x >> %s" % t))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "failed")
        self.assertEqual(file_lines(t), [])
        return job["results"][0]

    def test_host_key_unknown(self):
        kh = self.tmp.write("kh_other", SSHD.known_hosts_line(
            host="127.0.0.9") + "\n")
        # Refused before connecting (issue 11 item 6): no result row.
        self.conf = self.write_config(known_hosts=kh)
        t = self.trace("ref")
        r = self.add_rule(rule("ref", "echo x >> %s" % t))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "failed")
        self.assertIn("no entry in known_hosts", job["reason"])
        self.assertEqual(job["results"], [])
        self.assertEqual(file_lines(t), [])

    def test_host_key_changed(self):
        kh = self.tmp.write("kh_changed", SSHD.known_hosts_line(
            key=SSHD.foreign_host_key()) + "\n")
        res = self.run_with(known_hosts=kh)
        self.assertEqual(res["outcome"], "hostkey_changed")

    def test_auth_refused(self):
        res = self.run_with(key=SSHD.user_key("stranger"))
        self.assertEqual(res["outcome"], "auth_failed")


class TestDevelopment(AhCase):
    development = "true"

    def test_dry_run_runs_nothing_but_notes(self):
        t = self.trace("dev")
        r = self.add_rule(rule("dev", "echo x >> %s" % t))
        self.start()
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "succeeded")
        self.assertEqual(job["results"][0]["state"], "dry_run")
        self.assertEqual(file_lines(t), [])
        self.assertIn("dry run", self.note()[0]["json"]["note"])


@unittest.skipUnless(run_as_user(), "needs root and the user " + RUN_AS)
class TestRunAs(AhCase):
    def test_job_store_key_and_rules_as_the_user(self):
        pw = run_as_user()
        key = self.tmp.join("id_run_as")
        shutil.copy(SSHD.user_key("ed25519"), key)
        kh = self.tmp.join("known_hosts")
        shutil.copy(self.kh, kh)
        self.conf = self.write_config(known_hosts=kh, key=key)
        t = self.trace("run_as")
        r = self.add_rule(rule("run_as", "echo ran >> %s" % t))
        chown_tree(self.tmp.path, pw)
        self.proc, self.url = start_daemon(
            [bin_path("alexis-action-handler"), "--config", self.conf,
             "--user", RUN_AS], self.tmp.join("ah.log"))
        self.assertEqual(proc_ids(self.proc.pid)["Uid"],
                         [str(pw.pw_uid)] * 4)
        job = self.finished(self.action(r)["job"])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(file_lines(t), ["ran"])
        # The job store was created by the user, not by root.
        self.assertEqual(os.stat(self.tmp.join("action_handler.db")).st_uid,
                         pw.pw_uid)
        self.assertEqual(self.proc.events("privileges_dropped")[0]["user"],
                         RUN_AS)


class TestCrash(AhCase):
    workers = 1

    def test_kill_9_interrupts_running_job_and_runs_queued(self):
        ta, tb = self.trace("a"), self.trace("b")
        ra = self.add_rule(rule("long", "echo start >> %s; sleep 8" % ta))
        rb = self.add_rule(rule("next", "echo ran >> %s" % tb))
        self.start()
        a = self.action(ra, unique="1")["job"]
        self.proc.wait_event("ActionStart", job=a)
        wait_until(lambda: file_lines(ta) == ["start"], JOB_TIMEOUT_S,
                   "the long command started")
        b = self.action(rb, unique="2")["job"]
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait_exit()
        self.proc.logf.close()
        self.assertEqual(file_lines(tb), [])
        self.start("ah2.log")
        self.assertTrue(self.proc.events("job_interrupted", job=a))
        job_b = self.finished(b)
        self.assertEqual(job_b["state"], "succeeded")
        self.assertEqual(file_lines(tb), ["ran"])
        job_a = self.job(a)
        self.assertEqual(job_a["state"], "interrupted")
        notes = [q["json"]["note"] for q in self.note(count=4)]
        self.assertTrue(any("interrupted" in n and a in n for n in notes),
                        notes)
        self.proc.wait_event("ticket_noted", job=a)
        self.assertEqual(self.job(a)["report"]["state"], "sent")
        self.assertEqual(file_lines(ta), ["start"])
        self.assertEqual(len(self.proc.events("job_started", job=a)), 0)


class TestCheck(unittest.TestCase):
    def test_check_reports_missing_known_hosts_and_sample_loads(self):
        tmp = TempDir()
        try:
            tmp.write_tokens([], ("a", "x", "p", "d"),
                             runtime_name="tokens/rt.json")
            os.makedirs(tmp.join("rules"))
            conf = tmp.write("c.yaml", """
action_handler:
  ssh_key: /nonexistent/key
  ssh_user: u
  tokens: {allowed_clients: clients.json, runtime: rt.json}
""")
            r = subprocess.run([bin_path("alexis-action-handler"),
                                "--check", "--config", conf],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("known_hosts", r.stderr)
            self.assertIn("ssh_key /nonexistent/key", r.stderr)
            sample = os.path.join(SRC, "tests", "fixtures", "samples",
                                  "conf", "action_handler",
                                  "alexis.conf.yaml")
            if os.path.exists(sample):
                r = subprocess.run([bin_path("alexis-action-handler"),
                                    "--check", "--config", sample],
                                   capture_output=True, text=True,
                                   timeout=30)
                self.assertNotIn("unknown key", r.stderr)
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
