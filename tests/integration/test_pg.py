"""Replicas on PostgreSQL (issue 14), against a real PostgreSQL server the
test starts (tests/integration/pg.py: initdb in a temp dir, an
unprivileged account, a loopback port) and a real sshd:

- the job store's unit tests (test_jobs) on PostgreSQL, and two of the
  action handler's TestRun cases with their job store on PostgreSQL;
- three action handlers on one database: concurrent duplicate requests
  create one job; kill -9 of the replica running a job -> interrupted (by
  lease expiry), never re-run, and what it accepted runs elsewhere;
- PostgreSQL restarted while a job runs: 503 with the reason meanwhile,
  the job records its result once the server is back, new requests are
  accepted again (the daemon reconnected by itself);
- two pollers electing a leader: kill -9 the leader, the standby takes
  over within about one loop_interval, no alert forwarded twice;
- two classifiers behind one address: an alert delivered to both is
  remediated once;
- alexis-migrate-store copies a SQLite store into PostgreSQL.
Every wait is bounded; every process is stopped by its pid.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import (Proc, SimAdmin, Sink, TempDir, at_once,  # noqa: E402
                     action_handler_yaml, auth_yaml, bin_path, classifier_yaml, file_lines,
                     http, og_feed, poller_yaml, start_daemon, start_sim,
                     wait_until, GENIE_KEY, OG_HEADERS)
from pg import Postgres  # noqa: E402
from sshd import Sshd  # noqa: E402
from test_action_handler import (CLIENT_TOKEN, OG_KEY,  # noqa: E402
                                 RUNTIME_TOKEN, envelope, rule)

TESTS_BIN = os.environ.get("ALEXIS_TESTS_BIN", os.path.join(
    HERE, "..", "..", "build", "tests"))
WAIT_S = 30.0
PG = None
SSHD = None


def setUpModule():
    global PG, SSHD
    PG = Postgres().start()
    try:
        SSHD = Sshd()
        SSHD.start()
    except BaseException:
        PG.cleanup()
        raise


def tearDownModule():
    SSHD.cleanup()
    PG.cleanup()


def fresh_db():
    return PG.create_db("t_" + os.urandom(6).hex())


class TestOtherSuitesOnPostgres(unittest.TestCase):
    """The store's own tests and the action handler's TestRun, on
    PostgreSQL."""

    def env(self):
        return dict(os.environ, ALEXIS_TEST_PG_URI=PG.uri(fresh_db()),
                    ALEXIS_TEST_PG_PASSWORD_FILE=PG.password_file)

    def test_job_store_unit_tests(self):
        p = subprocess.run([os.path.join(TESTS_BIN,
                                         "unit_action_handler_test_jobs")],
                           env=self.env(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("PASSED", out)
        self.assertNotIn("FAILED", out)
        self.assertIn("OK ] test_pg_only_holder_writes", out)

    def test_action_handler_run_cases(self):
        # The cases that read the store back (a subset: time-bounded).
        p = subprocess.run([sys.executable, os.path.join(
            HERE, "test_action_handler.py"),
            "TestRun.test_success_runs_once_and_notes",
            "TestJobQueries.test_filters_and_pages"], env=self.env(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=240)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("OK", out.splitlines()[-1])


class Replicas(unittest.TestCase):
    """n action handlers sharing one database, each its own config file
    (the same rules, tokens and keys)."""
    lease = "2s"
    workers = 1

    def setUp(self):
        self.tmp = TempDir()
        self.sink = Sink()
        self.db = fresh_db()
        self.procs = []
        self.urls = []
        os.makedirs(self.tmp.join("rules"))
        self.tmp.write_tokens([("classifier", CLIENT_TOKEN)],
                              ("action_handler", RUNTIME_TOKEN))
        self.tmp.write("secrets/og_key", OG_KEY + "\n", mode=0o600)
        self.kh = SSHD.known_hosts("bracket")

    def tearDown(self):
        for p in self.procs:
            if p.p.poll() is None:
                p.stop()
            else:
                p.logf.close()
        self.sink.close()
        for p in self.procs:
            text = "\n".join(p.lines())
            for secret in (OG_KEY, CLIENT_TOKEN, RUNTIME_TOKEN,
                           "pg-test-password"):
                self.assertNotIn(secret, text, "secret in the log")
        self.tmp.cleanup()

    def config(self, i):
        return self.tmp.write("ah%d.yaml" % i, "\n" + auth_yaml(
            self.sink.url) + action_handler_yaml(
                "ssh_key: '%s'" % SSHD.user_key("ed25519"),
                "ssh_user: '%s'" % SSHD.user, "known_hosts: '%s'" % self.kh,
                "workers: %d" % self.workers, "connect_timeout: 3s",
                "command_timeout: 30s", "job_store: '%s'" % PG.uri(self.db),
                "job_store_password_file: '%s'" % PG.password_file,
                "job_lease: %s" % self.lease, rules_dir=None, db_path=None,
                tokens=("clients.json", "runtime.json")))

    def start(self, n):
        for i in range(len(self.procs), len(self.procs) + n):
            proc, url = start_daemon(
                [bin_path("alexis-action-handler"), "--config",
                 self.config(i)], self.tmp.join("ah%d.log" % i),
                timeout=WAIT_S)
            self.procs.append(proc)
            self.urls.append(url)

    def add_rule(self, name, command):
        r = rule(name, command, entities=["127.0.0.1:%d" % SSHD.port])
        self.tmp.write("rules/%s.json" % name, json.dumps(r))
        return r

    def post(self, i, r, unique):
        env = envelope(self.sink.url, unique)
        env["rule"] = r
        return http("POST", self.urls[i] + "/v1/action", env,
                    {"Authorization": "Bearer " + CLIENT_TOKEN})

    def job(self, i, job_id):
        st, body, _ = http("GET", self.urls[i] + "/v1/jobs/" + job_id,
                           headers={"Authorization": "Bearer " +
                                    CLIENT_TOKEN})
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def state(self, i, job_id):
        return self.job(i, job_id)["state"]

    def trace(self, name):
        return self.tmp.join("trace_" + name)

    def runner_of(self, job_id, timeout=WAIT_S):
        """The index of the replica that logged job_started for job_id."""
        def find():
            for i, p in enumerate(self.procs):
                if p.events("job_started", job=job_id):
                    return i + 1
            return 0
        return wait_until(find, timeout, "job %s started" % job_id) - 1


class TestReplicas(Replicas):
    def test_concurrent_duplicates_on_three_replicas_create_one_job(self):
        t = self.trace("dup")
        r = self.add_rule("dup", "echo ran >> %s" % t)
        self.start(3)
        out = at_once(12, lambda i: self.post(i % 3, r, "4242"), WAIT_S)
        codes = sorted(s for s, _, _ in out)
        self.assertEqual(codes, [200] * 11 + [202], out)
        ids = {json.loads(b)["job"] for _, b, _ in out}
        self.assertEqual(len(ids), 1)
        job = ids.pop()
        wait_until(lambda: self.state(0, job) == "succeeded", WAIT_S,
                   "the job succeeded")
        self.assertEqual(file_lines(t), ["ran"])
        self.assertEqual(sum(len(p.events("job_started")) for p in
                             self.procs), 1)
        self.assertEqual(PG.sql("SELECT count(*) FROM jobs", self.db),
                         [["1"]])

    def test_kill_9_of_the_running_replica_interrupts_and_others_run(self):
        ta, tb = self.trace("long"), self.trace("quick")
        ra = self.add_rule("long", "echo start >> %s; sleep 20" % ta)
        rb = self.add_rule("quick", "echo ran >> %s" % tb)
        self.start(3)
        st, body, _ = self.post(0, ra, "1")
        self.assertEqual(st, 202, body)
        a = json.loads(body)["job"]
        victim = self.runner_of(a)
        wait_until(lambda: file_lines(ta) == ["start"], WAIT_S,
                   "the long command started")
        # Jobs the victim accepts (its one worker is busy): they are in
        # the shared store, so the others run them, before or after the
        # kill.
        quick = []
        for u in ("2", "3", "4"):
            st, body, _ = self.post(victim, rb, u)
            self.assertEqual(st, 202, body)
            quick.append(json.loads(body)["job"])
        killed_at = time.monotonic()
        os.kill(self.procs[victim].pid, signal.SIGKILL)
        self.procs[victim].wait_exit()
        alive = [i for i in range(3) if i != victim][0]
        for q in quick:
            wait_until(lambda: self.state(alive, q) == "succeeded", WAIT_S,
                       "queued job %s ran elsewhere" % q)
        self.assertEqual(file_lines(tb), ["ran"] * 3)
        wait_until(lambda: self.state(alive, a) == "interrupted", WAIT_S,
                   "the long job interrupted after its lease")
        took = time.monotonic() - killed_at
        job = self.job(alive, a)
        self.assertIn("lease expired", job["reason"])
        # Interrupted by a survivor's heartbeat, reported on the ticket,
        # and never started again anywhere.
        self.assertTrue(any(p.events("job_interrupted", job=a)
                            for p in self.procs if p is not
                            self.procs[victim]))
        notes = self.sink.wait_for("POST", "/v2/alerts/", count=1,
                                   timeout=WAIT_S)
        wait_until(lambda: any(
            "interrupted" in (q["json"] or {}).get("note", "") and
            a in q["json"]["note"] for q in self.sink.find(
                "POST", "/v2/alerts/")), WAIT_S, "the interrupted note")
        self.assertTrue(notes)
        self.assertEqual(file_lines(ta), ["start"])
        self.assertEqual(sum(len(p.events("job_started", job=a))
                             for p in self.procs), 1)
        self.assertLess(took, 15.0)


class TestPostgresRestart(Replicas):
    lease = "30s"

    def test_restart_mid_run_503_then_result_recorded(self):
        t = self.trace("slow")
        r = self.add_rule("slow", "echo a >> %s; sleep 3; echo b >> %s" %
                          (t, t))
        self.start(1)
        st, body, _ = self.post(0, r, "10")
        self.assertEqual(st, 202, body)
        job = json.loads(body)["job"]
        self.procs[0].wait_event("job_started", job=job, timeout=WAIT_S)
        wait_until(lambda: file_lines(t) == ["a"], WAIT_S,
                   "the command started")
        PG.stop()
        try:
            st, body, _ = self.post(0, r, "11")
            self.assertEqual(st, 503, body)
            self.assertIn("could not be stored", body)
            self.assertIn("job store", body)
            st, body, _ = http("GET", self.urls[0] + "/v1/ping")
            self.assertEqual(st, 503, body)
            # The command finishes while the server is down.
            wait_until(lambda: file_lines(t) == ["a", "b"], WAIT_S,
                       "the command finished")
        finally:
            PG.start(PG.port)
        self.procs[0].wait_event("job_finished", job=job, timeout=WAIT_S)
        doc = wait_until(lambda: (lambda d: d if d["state"] == "succeeded"
                                  else None)(self.job(0, job)), WAIT_S,
                         "the result recorded")
        self.assertEqual(doc["results"][0]["exit_status"], 0)
        st, body, _ = self.post(0, r, "12")
        self.assertEqual(st, 202, body)
        self.assertFalse(self.procs[0].events("result_store_failed"))
        self.assertFalse(self.procs[0].events("job_store_failed",
                                              job=job))


class TestMigrateStore(Replicas):
    def test_copy_sqlite_store_then_serve_it_from_postgres(self):
        t = self.trace("m")
        r = self.add_rule("m", "echo moved >> %s" % t)
        conf = self.config(0)
        with open(conf) as f:
            text = f.read()
        sqlite = self.tmp.join("old.db")
        with open(conf, "w") as f:
            f.write(text.replace("job_store: '%s'" % PG.uri(self.db),
                                 "job_store: 'sqlite://%s'" % sqlite))
        proc, url = start_daemon([bin_path("alexis-action-handler"),
                                  "--config", conf],
                                 self.tmp.join("old.log"))
        self.procs.append(proc)
        self.urls.append(url)
        st, body, _ = self.post(0, r, "77")
        job = json.loads(body)["job"]
        proc.wait_event("ticket_noted", job=job, timeout=WAIT_S)
        proc.stop()
        env = dict(os.environ, PGPASSWORD_FILE=PG.password_file)
        tool = bin_path("alexis-migrate-store")
        p = subprocess.run([tool, sqlite, PG.uri(self.db)], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("copied 1 of 1 jobs", p.stdout)
        self.assertNotIn("pg-test-password", p.stdout + p.stderr)
        p = subprocess.run([tool, sqlite, PG.uri(self.db)], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("copied 0 of 1 jobs", p.stdout)
        self.procs, self.urls = [], []
        self.start(1)
        doc = self.job(0, job)
        self.assertEqual(doc["state"], "succeeded")
        self.assertEqual(doc["results"][0]["stdout"], "")
        self.assertEqual(doc["report"]["state"], "sent")
        # Dedup carried over: the same alert and rule is a duplicate.
        st, body, _ = self.post(0, r, "77")
        self.assertEqual(st, 200, body)
        self.assertEqual(file_lines(t), ["moved"])


# ---- pollers -----------------------------------------------------------

POLLER_TOKEN = "p0ll3r-runtime-token-pg-0123456789"


class MarkingClassifier(Sink):
    """Stands in for the classifier: on each POST /v1/classifier it marks
    the OpsGenie alert (the investigation queue team, as a classifier with
    no matching rule does) before answering, so the feed no longer lists
    it."""

    def __init__(self, sim_url):
        super().__init__()
        self.sim_url = sim_url

    def _answer(self, req):
        if req["method"] == "POST" and req["json"]:
            tiny = req["json"].get("tinyId")
            http("POST", "%s/v2/alerts/%s/teams?identifierType=tiny" % (
                self.sim_url, tiny), {"team": {"name":
                                               "queue_needsinvestigation"}},
                 {"Authorization": "GenieKey " + GENIE_KEY})
        return super()._answer(req)


class TestPollerLeader(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.sim_proc, self.sim_url = start_sim(
            self.tmp.join("sim.log"), "--apply-delay-ms", "0")
        self.sim = SimAdmin(self.sim_url)
        self.cls = MarkingClassifier(self.sim_url)
        self.cls.answer("GET", "/v1/ping", 200, '{"status":"ok"}')
        self.pollers = []
        self.db = fresh_db()

    def tearDown(self):
        for p in self.pollers:
            if p.p.poll() is None:
                p.stop()
            else:
                p.logf.close()
        self.cls.close()
        self.sim_proc.stop()
        self.tmp.cleanup()

    def config(self):
        self.tmp.write_tokens(None, ("poller", POLLER_TOKEN),
                              runtime_name="tokens/poller.token.json")
        return self.tmp.write("poller.yaml", auth_yaml(
            self.sim_url, og=OG_HEADERS) + poller_yaml(
            {"opsgenie": self.cls.url}, [og_feed("og_payments")],
            "loop_interval: 1", "leader_store: '%s'" % PG.uri(self.db),
            "leader_store_password_file: '%s'" % PG.password_file))

    def add(self, n):
        got = self.sim.add_alerts([{"message": "disk full %d" % i,
                                    "teams": [{"name":
                                               "payments_incoming"}]}
                                   for i in range(n)])
        return [a["tinyId"] for a in (got if isinstance(got, list)
                                      else [got])]

    def forwarded(self):
        return [r["json"]["tinyId"] for r in
                self.cls.find("POST", "/v1/classifier")]

    def leader(self):
        led = [i for i, p in enumerate(self.pollers)
               if p.events("leader_elected")]
        return led

    def test_kill_the_leader_the_standby_takes_over_nothing_twice(self):
        first = self.add(3)
        cfg = self.config()
        for i in range(2):
            self.pollers.append(Proc([bin_path("alexis-poller"), "--config",
                                      cfg], self.tmp.join("p%d.log" % i)))
        wait_until(lambda: sorted(self.forwarded()) == sorted(first),
                   WAIT_S, lambda: "the first alerts forwarded: %r" %
                   self.forwarded())
        led = wait_until(self.leader, WAIT_S, "a leader")
        self.assertEqual(len(led), 1, led)
        leader, standby = led[0], 1 - led[0]
        # The standby keeps passing without polling.
        self.pollers[standby].wait_event("pass_finished", timeout=WAIT_S)
        self.assertFalse(self.pollers[standby].events("poll_started"))
        os.kill(self.pollers[leader].pid, signal.SIGKILL)
        self.pollers[leader].wait_exit()
        killed = time.monotonic()
        self.pollers[standby].wait_event("leader_elected", timeout=WAIT_S)
        took = time.monotonic() - killed
        second = self.add(2)
        wait_until(lambda: sorted(self.forwarded()) ==
                   sorted(first + second), WAIT_S,
                   lambda: "the new alerts forwarded: %r" %
                   self.forwarded())
        # A few more passes: still once each.
        n = len(self.pollers[standby].events("poll_started"))
        wait_until(lambda: len(self.pollers[standby].events(
            "poll_started")) >= n + 2, WAIT_S, "two more polls")
        f = self.forwarded()
        self.assertEqual(len(f), len(set(f)), f)
        # Within one loop_interval (1 s) of the next pass, plus slack for
        # a loaded machine.
        self.assertLess(took, 3.0)


# ---- classifiers -------------------------------------------------------

class RoundRobin:
    """One loopback address in front of several: each new connection goes
    to the next backend (as Swarm's virtual IP spreads connections)."""

    def __init__(self, ports):
        self.ports = list(ports)
        self.n = 0
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(64)
        self.port = self.srv.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.t = threading.Thread(target=self._accept, daemon=True)
        self.t.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            port = self.ports[self.n % len(self.ports)]
            self.n += 1
            b = socket.create_connection(("127.0.0.1", port), timeout=10)
            for src, dst in ((c, b), (b, c)):
                threading.Thread(target=self._pipe, args=(src, dst),
                                 daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.srv.close()


class TestClassifierReplicas(Replicas):
    def test_two_classifiers_behind_one_address_remediate_once(self):
        t = self.trace("cls")
        self.add_rule("cls", "echo ran >> %s" % t)
        self.start(1)
        self.tmp.write_tokens(
            [("poller", POLLER_TOKEN)], ("classifier", CLIENT_TOKEN),
            clients_name="tokens/clients.classifier.json",
            runtime_name="tokens/classifier.token.json")
        conf = self.tmp.write("cls.yaml", auth_yaml(self.sink.url) +
                              classifier_yaml(self.urls[0]))
        cls = []
        for i in range(2):
            p, url = start_daemon([bin_path("alexis-classifier"),
                                   "--config", conf],
                                  self.tmp.join("cls%d.log" % i))
            self.procs.append(p)
            cls.append(int(url.rsplit(":", 1)[1]))
        rr = RoundRobin(cls)
        try:
            env = envelope(self.sink.url, "9001")
            # The same alert delivered twice (a webhook and a poll, or a
            # retried delivery): each lands on another classifier.
            for _ in range(2):
                st, body, _ = http("POST", rr.url + "/v1/classifier", env,
                                   {"Authorization": "Bearer " +
                                    POLLER_TOKEN})
                self.assertIn(st, (200, 202), body)
        finally:
            rr.close()
        for p in self.procs[1:]:
            p.wait_event("action_forwarded", timeout=WAIT_S)
        ah = self.procs[0]
        ah.wait_event("job_duplicate", timeout=WAIT_S)
        job = ah.events("job_queued")[0]["job"]
        wait_until(lambda: self.state(0, job) == "succeeded", WAIT_S,
                   "the job ran")
        self.assertEqual(len(ah.events("job_queued")), 1)
        self.assertEqual(file_lines(t), ["ran"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
