"""Issue 11 (action handler items): what a hostile client, a full disk and a
slow ticket API did to the action handler, each reproduced against the real
daemon, a real sshd on loopback and a loopback sink standing in for the
ticket APIs. Reuses test_action_handler's fixtures (AhCase, rule,
envelope). Every wait is bounded; every process is stopped by its pid."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_action_handler as tah  # noqa: E402
from test_action_handler import (ADDRS, CLIENT_TOKEN, RUNTIME_TOKEN,  # noqa
                                 AhCase, envelope, rule)
from harness import file_lines, http, token, wait_until  # noqa: E402
from sshd import Sshd  # noqa: E402

ENGINEER_TOKEN = "engineer-token-5eed5eed"
READER_TOKEN = "reader-token-abcabcab"


def setUpModule():
    tah.SSHD = Sshd(addresses=ADDRS)
    tah.SSHD.start()


def tearDownModule():
    tah.SSHD.cleanup()


def auth(token=CLIENT_TOKEN):
    return {"Authorization": "Bearer " + token}


class ThreeClients(AhCase):
    """The classifier, an engineer, and a reader whose token file entry
    says "read_all": true."""

    def write_config(self, extra=None, known_hosts=None, key=None):
        conf = super().write_config(extra, known_hosts, key)
        reader = token("reader", READER_TOKEN)
        reader["read_all"] = True
        self.tmp.write_tokens([("classifier", CLIENT_TOKEN),
                               ("engineer", ENGINEER_TOKEN), reader],
                              ("action_handler", RUNTIME_TOKEN))
        return conf

    def gated(self, name):
        """A rule whose command waits for the file go (bounded: 60 s)."""
        self.go = self.trace("go_" + name)
        return self.add_rule(rule(name, "i=0; while [ ! -e %s ] && "
                                  "[ $i -lt 600 ]; do sleep 0.1; "
                                  "i=$((i+1)); done" % self.go))

    def post_as(self, tok, r, unique):
        env = envelope(self.sink.url, unique)
        env["rule"] = r
        return http("POST", self.url + "/v1/action", env, auth(tok))

    def tearDown(self):
        if getattr(self, "go", None):
            open(self.go, "w").close()
        super().tearDown()


class TestJobVisibility(ThreeClients):
    """Item 7: a client sees its own jobs, unless read_all."""

    def test_own_jobs_only(self):
        r = self.add_rule(rule("vis", "echo secret-output"))
        self.start()
        st, body, _ = self.post_as(CLIENT_TOKEN, r, "1")
        self.assertEqual(st, 202, body)
        mine = json.loads(body)["job"]
        self.finished(mine)
        st, body, _ = self.post_as(ENGINEER_TOKEN, r, "2")
        self.assertEqual(st, 202, body)
        eng = json.loads(body)["job"]
        self.proc.wait_event("job_finished", timeout=60, job=eng)
        url = self.url + "/v1/jobs/"
        st, body, _ = http("GET", url + mine, headers=auth(ENGINEER_TOKEN))
        self.assertEqual(st, 404, body)
        self.assertNotIn("secret-output", body)
        # The same answer as for an id that does not exist.
        st2, body2, _ = http("GET", url + "0" * 32,
                             headers=auth(ENGINEER_TOKEN))
        self.assertEqual((st2, body2), (st, body))
        st, body, _ = http("GET", url + eng, headers=auth(ENGINEER_TOKEN))
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body)["requestor"], "engineer")
        for tok in (CLIENT_TOKEN, READER_TOKEN):
            st, body, _ = http("GET", url + mine, headers=auth(tok))
            self.assertEqual(st, 200, body)
            self.assertIn("secret-output", body)
        lists = {}
        for who, tok in (("eng", ENGINEER_TOKEN), ("cls", CLIENT_TOKEN),
                         ("all", READER_TOKEN)):
            st, body, _ = http("GET", self.url + "/v1/jobs",
                               headers=auth(tok))
            self.assertEqual(st, 200, body)
            lists[who] = sorted(j["job"] for j in json.loads(body)["jobs"])
        self.assertEqual(lists["eng"], [eng])
        self.assertEqual(lists["cls"], [mine])
        self.assertEqual(lists["all"], sorted([mine, eng]))


class TestTicketWrites(ThreeClients):
    """Item 7: ticket writes for a request go only to a ticket that exists
    (read back first) in a configured account."""

    def test_no_write_to_a_ticket_that_does_not_exist(self):
        r = self.add_rule(rule("tw", "true"))
        self.sink.answer("GET", "/v2/alerts/alert-404", 404,
                         json.dumps({"message": "Alert does not exist"}))
        self.start()
        st, body, _ = self.post_as(ENGINEER_TOKEN, r, "404")
        self.assertEqual(st, 202, body)
        job = json.loads(body)["job"]
        ev = self.proc.wait_event("ticket_refused", timeout=60, job=job)
        self.assertIn("does not exist", ev["error"])
        got = json.loads(http("GET", self.url + "/v1/jobs/" + job,
                              headers=auth(ENGINEER_TOKEN))[1])
        self.assertEqual(got["report"]["state"], "failed", got)
        self.assertEqual(got["report"]["attempts"], 0)
        self.assertEqual(self.sink.find("POST"), [])
        # An alert that exists gets its note as before.
        st, body, _ = self.post_as(ENGINEER_TOKEN, r, "200")
        self.assertEqual(st, 202, body)
        self.note()
        gets = [q["path"] for q in self.sink.find("GET")]
        self.assertIn("/v2/alerts/alert-200", gets)

    def test_unconfigured_account_gets_nothing(self):
        r = self.add_rule(rule("tw2", "true"))
        self.start()
        env = envelope("http://127.0.0.1:9", "77")
        env["rule"] = r
        st, body, _ = http("POST", self.url + "/v1/action", env,
                           auth(ENGINEER_TOKEN))
        self.assertEqual(st, 202, body)
        job = json.loads(body)["job"]
        ev = self.proc.wait_event("ticket_refused", timeout=60, job=job)
        self.assertIn("not configured", ev["error"])
        self.assertEqual(self.sink.find(), [])


class TestBackPressure(ThreeClients):
    """Item 2: a bounded queue (503) and a per-client bound (429), both
    with Retry-After, and nothing stored past them."""
    workers = 1

    def jobs_count(self):
        st, body, _ = http("GET", self.url + "/v1/jobs?limit=200",
                           headers=auth(READER_TOKEN))
        return len(json.loads(body)["jobs"])

    def test_queue_max(self):
        self.write_config(extra="  queue_max: 2\n")
        r = self.gated("q")
        self.start()
        first = json.loads(self.post_as(CLIENT_TOKEN, r, "0")[1])["job"]
        self.proc.wait_event("job_started", timeout=30, job=first)
        for i in (1, 2):
            self.assertEqual(self.post_as(ENGINEER_TOKEN, r, str(i))[0], 202)
        st, body, hdrs = self.post_as(ENGINEER_TOKEN, r, "3")
        self.assertEqual(st, 503, body)
        self.assertIn("queue", json.loads(body)["error"])
        self.assertGreater(int(hdrs["Retry-After"]), 0)
        self.assertEqual(self.jobs_count(), 3)
        open(self.go, "w").close()
        self.finished(first)
        wait_until(lambda: self.post_as(ENGINEER_TOKEN, r, "3")[0] == 202,
                   timeout=30, what="room in the queue")

    def test_client_max_jobs(self):
        self.write_config(extra="  client_max_jobs: 2\n")
        r = self.gated("c")
        self.start()
        for i in (1, 2):
            self.assertEqual(self.post_as(ENGINEER_TOKEN, r, str(i))[0], 202)
        st, body, hdrs = self.post_as(ENGINEER_TOKEN, r, "3")
        self.assertEqual(st, 429, body)
        self.assertIn("client_max_jobs", json.loads(body)["error"])
        self.assertGreater(int(hdrs["Retry-After"]), 0)
        # Another client is not held up by this one.
        self.assertEqual(self.post_as(CLIENT_TOKEN, r, "4")[0], 202)
        self.assertEqual(self.jobs_count(), 3)


class TestNul(AhCase):
    """Item 8: an escaped NUL in an identifier is refused with 400 naming
    the field; elsewhere it is data."""

    def setUp(self):
        super().setUp()
        self.t = self.trace("nul")
        self.r = self.add_rule(rule("noop", "echo ran >> %s" % self.t))
        self.start()

    def post_text(self, text):
        return http("POST", self.url + "/v1/action", text.encode(), auth())

    def test_nul_in_identifiers_is_400_naming_the_field(self):
        cases = (("rule", "rule_name", "rule.rule_name"),
                 ("alexis", "unique_value", "alexis.unique_value"),
                 ("alexis", "feed_type", "alexis.feed_type"),
                 (None, "tinyId", "tinyId"))
        for parent, key, field in cases:
            env = envelope(self.sink.url)
            env["rule"] = dict(self.r)
            obj = env[parent] if parent else env
            obj[key] = obj[key] + "\x00x"
            text = json.dumps(env)
            self.assertIn("\\u0000", text)
            st, body, _ = self.post_text(text)
            self.assertEqual(st, 400, body)
            self.assertIn(field, json.loads(body)["error"])
            self.assertIn("NUL", json.loads(body)["error"])
        st, body, _ = http("GET", self.url + "/v1/jobs", headers=auth())
        self.assertEqual(json.loads(body)["jobs"], [])
        self.assertEqual(file_lines(self.t), [])

    def test_nul_as_data_is_kept(self):
        env = envelope(self.sink.url, details={"text": "a\x00b"})
        env["rule"] = self.r
        st, body, _ = self.post_text(json.dumps(env))
        self.assertEqual(st, 202, body)
        job = self.finished(json.loads(body)["job"])
        self.assertEqual(job["state"], "succeeded", job)

    def test_nul_in_an_entity_from_the_alert_is_refused(self):
        r = self.add_rule(rule("kvnul", "echo ran >> %s" % self.t,
                               keyvalue=["details", "host"]))
        host = "127.0.0.1:%d\x00x" % tah.SSHD.port
        env = envelope(self.sink.url, details={"host": host})
        env["rule"] = r
        st, body, _ = self.post_text(json.dumps(env))
        self.assertEqual(st, 202, body)
        job = self.finished(json.loads(body)["job"])
        self.assertEqual(job["state"], "failed", job)
        self.assertIn("NUL", job["reason"])
        self.assertEqual(file_lines(self.t), [])


class TestWhatWeConnectTo(AhCase):
    """Item 6: alert content picks no host we do not know, in no spelling
    but the canonical one, and no more than max_entities of them."""
    known_hosts_form = "hashed"     # hashed entries work too

    def kv_job(self, name, hosts, extra_rule=None):
        t = self.trace(name)
        r = self.add_rule(rule(name, "echo ran >> %s" % t,
                               keyvalue=["details", "hosts"]))
        if self.proc is None:
            self.start()
        job = self.finished(self.action(r, unique=name,
                                        details={"hosts": hosts})["job"])
        return job, t

    def accepted_connections(self):
        return [x for x in tah.SSHD.log().splitlines()
                if "Connection from" in x]

    def test_unknown_entity_refused_before_any_connection(self):
        before = len(self.accepted_connections())
        port = tah.SSHD.port
        # 127.0.0.4 runs no sshd and is not in known_hosts; the sshd's own
        # port on a known address but another port is not listed either.
        hosts = ["127.0.0.1:%d" % port, "127.0.0.4:%d" % port,
                 "127.0.0.1:%d" % (port + 1)]
        job, t = self.kv_job("probe", hosts)
        self.assertEqual(job["state"], "failed", job)
        self.assertIn("no entry in known_hosts", job["reason"])
        self.assertIn("127.0.0.4", job["reason"])
        self.assertEqual(job["results"], [])
        self.assertEqual(file_lines(t), [])
        self.assertEqual(len(self.accepted_connections()), before)
        self.assertNotIn(self.kh, json.dumps(job))
        note = self.note()[0]["json"]["note"]
        self.assertIn("no entry in known_hosts", note)
        self.assertNotIn(self.kh, note)

    def test_hashed_known_entity_runs(self):
        job, t = self.kv_job("known", ["127.0.0.2:%d" % tah.SSHD.port])
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(file_lines(t), ["ran"])

    def test_inet_aton_forms_refused(self):
        for i, h in enumerate(("127.0.0.0x1", "0x7f000001", "127.1",
                               "2130706433", "0177.0.0.1")):
            job, t = self.kv_job("aton%d" % i, ["%s:%d" % (h, tah.SSHD.port)])
            self.assertEqual(job["state"], "failed", job)
            self.assertIn("not a valid host name", job["reason"])
            self.assertEqual(file_lines(t), [])

    def test_entity_cap(self):
        self.write_config(extra="  max_entities: 3\n")
        hosts = ["127.0.0.%d:%d" % (i, tah.SSHD.port) for i in range(1, 5)]
        job, t = self.kv_job("many", hosts)
        self.assertEqual(job["state"], "failed", job)
        self.assertIn("4 entities, more than max_entities (3)", job["reason"])
        self.assertEqual(file_lines(t), [])


class TestReportsApart(AhCase):
    """Item 4: with one job worker, a hung ticket API holds up reports,
    never the next job."""
    workers = 1

    def test_job_runs_while_a_report_hangs(self):
        self.sink.answer("POST", "/v2/alerts/", 202, delay=9.0)
        ta, tb = self.trace("a"), self.trace("b")
        ra = self.add_rule(rule("ra", "echo a >> %s" % ta))
        rb = self.add_rule(rule("rb", "echo b >> %s" % tb))
        self.start()
        a = self.action(ra, unique="1")["job"]
        self.proc.wait_event("job_finished", timeout=30, job=a)
        # A's note is now stuck in the sink for 9 s.
        self.sink.wait_for("POST", "/v2/alerts/", timeout=30)
        b = self.action(rb, unique="2")["job"]
        self.proc.wait_event("job_finished", timeout=30, job=b)
        self.assertEqual(self.proc.events("ticket_noted", job=a), [],
                         "job b waited for job a's report:\n" +
                         "\n".join(self.proc.lines()))
        self.assertEqual(file_lines(tb), ["b"])
        self.proc.wait_event("ticket_noted", timeout=30, job=a)


class TestFullDisk(AhCase):
    """Item 3: the job file on a full tmpfs. The running job's result is
    kept and written when space is back, the job runs once, workers retry
    on their own, and the store's health shows in /v1/ping."""
    workers = 1

    def setUp(self):
        super().setUp()
        self.mnt = self.tmp.join("store")
        os.makedirs(self.mnt)
        r = os.system("mount -t tmpfs -o size=2m alexis-test %s "
                      "2>/dev/null" % self.mnt)
        if r != 0:
            self.skipTest("cannot mount a tmpfs here (needs root)")
        self.mounted = True
        self.conf = self.write_config(extra="  db_path: %s/ah.db\n" %
                                      self.mnt)

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            if getattr(self, "mounted", False):
                os.system("umount %s" % self.mnt)

    def fill(self):
        path = os.path.join(self.mnt, "filler")
        with open(path, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        return path

    def ping(self):
        st, body, _ = http("GET", self.url + "/v1/ping", headers=auth())
        return st, json.loads(body)

    def test_result_kept_until_the_store_is_back(self):
        t = self.trace("full")
        go = self.trace("go")
        r = self.add_rule(rule(
            "full", "echo ran >> %s; while [ ! -e %s ]; do sleep 0.1; "
            "done; head -c 150000 /dev/zero | tr '\\0' o" % (t, go)))
        self.start()
        job = self.action(r)["job"]
        self.proc.wait_event("ActionStart", timeout=30, job=job)
        filler = self.fill()
        open(go, "w").close()
        self.proc.wait_event("result_store_failed", timeout=30, job=job)
        st, doc = self.ping()
        self.assertEqual(st, 200, doc)
        self.assertEqual(doc["db"], "failing", doc)
        # Meanwhile nothing new is accepted: 503, nothing half-stored.
        env = envelope(self.sink.url, "6000")
        env["rule"] = r
        self.assertEqual(self.post(env)[0], 503)
        os.unlink(filler)
        # No request wakes the workers: they retry on their own.
        self.proc.wait_event("job_store_recovered", timeout=30)
        wait_until(lambda: self.job(job)["state"] == "succeeded",
                   timeout=30, what="job written back")
        got = self.job(job)
        self.assertEqual(len(got["results"]), 1, got)
        self.assertEqual(len(got["results"][0]["stdout"]), 65536)
        self.assertEqual(file_lines(t), ["ran"])
        self.note()
        wait_until(lambda: self.ping()[1]["db"] == "ok", timeout=30,
                   what="store healthy")


if __name__ == "__main__":
    unittest.main()
