"""Integration tests of alexis-classifier: the real daemon on 127.0.0.1 with
a temp rules dir, and a loopback sink standing in for the action handler and
the OpsGenie / Dynatrace APIs."""
import json
import os
import shutil
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (RUN_AS, chown_tree, proc_ids,  # noqa: E402
                     run_as_user)
from harness import (Proc, Sink, TempDir, auth_yaml, bin_path,  # noqa: E402
                     fixture_envelope, http, start_daemon, SRC)

OG_KEY = "og-test-key-0f9e8d7c"
DT_TOKEN = "dt0c01.TESTPUBLIC.TESTSECRET0000"
POLLER_TOKEN = "poller-token-1a2b3c4d5e6f"
ENGINEER_TOKEN = "engineer-token-9z8y7x6w"
RUNTIME_TOKEN = "classifier-runtime-token-42"


def write_config(tmp, sink, rules_dir=None, extra=""):
    tmp.write_tokens([("poller", POLLER_TOKEN),
                      ("jdoe", ENGINEER_TOKEN, "user")],
                     ("classifier", RUNTIME_TOKEN),
                     clients_name="tokens/clients.classifier.json",
                     runtime_name="tokens/localhost.token.json")
    tmp.write("secrets/og_key", OG_KEY + "\n", mode=0o600)
    conf = "\nversion: '2.060'\n" + auth_yaml(sink.url, dt={
        "headers": '{"Authorization":"Api-Token %s"}' % DT_TOKEN}) + """\
classifier:
  action_handler_destinations:
    linux: '%(url)s/v1'
  default_remediation_queue: queue_autoremediation
  default_investigation_queue: queue_needsinvestigation
  rules_dir: '%(rules)s'
  debug: true
  listener: {hostname: 127.0.0.1, port: 0}
  tokens: {directory: tokens, allowed_clients: clients.classifier.json,
           runtime: localhost.token.json}
%(extra)s
poller:
  loop_interval: 10
""" % {"url": sink.url, "rules": rules_dir or tmp.join("rules"),
       "extra": extra}
    return tmp.write("alexis.conf.yaml", conf)


class ClassifierCase(unittest.TestCase):
    extra = ""
    copy_rules = True

    def setUp(self):
        self.tmp = TempDir()
        self.sink = Sink()
        self.sink.answer("GET", "/v1/ping", 200, '{"status":"ok"}')
        os.makedirs(self.tmp.join("rules"))
        if self.copy_rules:
            for f in os.listdir(os.path.join(SRC, "rules")):
                shutil.copy(os.path.join(SRC, "rules", f),
                            self.tmp.join("rules", f))
        self.conf = write_config(self.tmp, self.sink, extra=self.extra)
        self.proc, self.url = start_daemon(
            [bin_path("alexis-classifier"), "--config", self.conf],
            self.tmp.join("classifier.log"))

    def tearDown(self):
        rc = self.proc.stop()
        self.sink.close()
        log = "\n".join(self.proc.lines())
        self.tmp.cleanup()
        # Clean shutdown (ASan's leak check makes leaks a non-zero exit).
        self.assertEqual(rc, 0, log)
        for secret in (OG_KEY, DT_TOKEN, POLLER_TOKEN, ENGINEER_TOKEN,
                       RUNTIME_TOKEN, "GenieKey", "feed-secret"):
            self.assertNotIn(secret, log, "secret in the log")

    def post(self, body, token=POLLER_TOKEN, query="", headers=None):
        h = {"Authorization": "Bearer " + token} if token else {}
        h.update(headers or {})
        return http("POST", self.url + "/v1/classifier" + query, body, h)

    def post_no_match(self):
        """Post an alert no rule matches (env.dev, tinyId 77): accepted."""
        env = fixture_envelope(self.sink.url)
        env["tags"] = ["env.dev"]
        env["tinyId"] = "77"
        env["alexis"]["unique_value"] = "77"
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)

    def finished(self, id_key, id_value):
        return self.proc.wait_event("classification_finished",
                                    **{id_key: id_value})


class TestForwardAndMark(ClassifierCase):
    def test_ping(self):
        # Without a token (or with a bad one): alive or not, nothing more
        # (no queue, no action handler URLs); and no call to the handler.
        for h in ({}, {"Authorization": "Bearer wrong-token"}):
            st, body, _ = http("GET", self.url + "/v1/ping", headers=h)
            self.assertEqual(st, 200, body)
            self.assertEqual(json.loads(body), {"status": "ok"})
        self.assertEqual(self.sink.find("GET", "/v1/ping"), [])
        # With a valid token: the details.
        st, body, _ = http("GET", self.url + "/v1/ping", headers={
            "Authorization": "Bearer " + ENGINEER_TOKEN})
        self.assertEqual(st, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["status"], "ok")
        self.assertTrue(doc["action_handlers"]["linux"]["up"])
        self.assertIn("queue", doc)

    def test_ping_flood_checks_the_action_handler_once_per_interval(self):
        # /v1/ping needs no token, so it must not let anyone make the
        # classifier call its action handlers at will. The handler answers
        # slowly; pings meanwhile get the last report instead of waiting.
        self.sink.answer("GET", "/v1/ping", 200, '{"status":"ok"}',
                         delay=0.3)
        t0 = time.monotonic()
        results = []

        def ping():
            st, body, _ = http("GET", self.url + "/v1/ping", headers={
                "Authorization": "Bearer " + POLLER_TOKEN})
            results.append((st, json.loads(body)))

        threads = [threading.Thread(target=ping) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        for _ in range(12):
            ping()
        elapsed_ms = (time.monotonic() - t0) * 1000
        self.assertEqual(len(results), 20)
        self.assertTrue(all(st == 200 for st, _ in results), results)
        checks = len(self.sink.find("GET", "/v1/ping"))
        self.assertGreaterEqual(checks, 1)
        # At most one check per 2 s interval (CLASSIFIER_PING_CACHE_MS).
        self.assertLessEqual(checks, 1 + int(elapsed_ms // 2000), elapsed_ms)
        # The pings after the check report what it found.
        self.assertTrue(results[-1][1]["action_handlers"]["linux"]["up"])

    def test_opsgenie_match_forwards_then_adds_team(self):
        env = fixture_envelope(self.sink.url)
        env["alexis"]["feed_headers"] = {"Authorization": "feed-secret"}
        st, body, _ = self.post(env)
        self.assertEqual(st, 202, body)
        self.assertEqual(json.loads(body), {"received": "5120"})
        fwd = self.sink.wait_for("POST", "/v1/action")[0]
        self.assertEqual(fwd["headers"]["authorization"],
                         "Bearer " + RUNTIME_TOKEN)
        self.assertEqual(fwd["json"]["rule"]["rule_name"],
                         "ledger_gc_restart")
        self.assertEqual(fwd["json"]["tinyId"], "5120")
        self.assertNotIn("feed_headers", fwd["json"]["alexis"])
        self.assertNotIn("feed-secret", fwd["body"])
        alert_id = env["id"]
        team = self.sink.wait_for("POST", "/v2/alerts/%s/teams" % alert_id)[0]
        self.assertEqual(team["query"], "identifierType=id")
        self.assertEqual(team["json"]["team"], {"name":
                                                "queue_autoremediation"})
        self.assertEqual(team["headers"]["authorization"],
                         "GenieKey " + OG_KEY)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["result"], "matched")
        self.assertEqual(fin["rules_matched"], "1")
        self.assertIn("app_elapsed_ms", fin)
        ev = self.proc.events("rule_evaluated", tinyId="5120",
                              rule_name="ledger_gc_restart")
        self.assertEqual(ev[0]["matched"], "true")
        # Ticket marked only after the forward was accepted.
        order = [r["path"] for r in self.sink.find("POST")]
        self.assertLess(order.index("/v1/action"),
                        order.index("/v2/alerts/%s/teams" % alert_id))
        # Every line about the alert carries its id.
        for kv in self.proc.events():
            if kv.get("event") in ("classification_started",
                                   "rule_evaluated", "action_forwarded",
                                   "ticket_marked",
                                   "classification_finished"):
                self.assertEqual(kv.get("tinyId"), "5120", kv)

    def test_forward_is_the_body_as_received_plus_the_rule(self):
        # Bytes the parser would not print back the same way (spacing,
        # escapes, a float) go to the action handler unchanged.
        env = fixture_envelope(self.sink.url)
        raw = json.dumps(env, indent=1, ensure_ascii=True)
        raw = raw[:-1] + ', "note": "caf\\u00e9", "ratio": 1.50}\n\n'
        st, body, _ = self.post(raw)
        self.assertEqual(st, 202, body)
        fwd = self.sink.wait_for("POST", "/v1/action")[0]["body"]
        kept = raw.rstrip()[:-1]
        self.assertTrue(fwd.startswith(kept + ',"rule":{'), fwd[-300:])
        self.assertEqual(json.loads(fwd)["rule"]["rule_name"],
                         "ledger_gc_restart")

    def test_rule_in_the_request_is_dropped(self):
        # The alert must not choose what runs: the action handler takes
        # the first "rule" of the body.
        env = fixture_envelope(self.sink.url)
        env["rule"] = {"rule_name": "some_other_rule"}
        st, body, _ = self.post(env)
        self.assertEqual(st, 202, body)
        fwd = self.sink.wait_for("POST", "/v1/action")[0]["body"]
        pairs = json.loads(fwd, object_pairs_hook=lambda kv: kv)
        rules = [v for k, v in pairs if k == "rule"]
        self.assertEqual(len(rules), 1, fwd[-300:])
        self.assertIn(("rule_name", "ledger_gc_restart"), rules[0])
        self.assertNotIn("some_other_rule", fwd)
        ev = self.proc.wait_event("envelope_field_dropped", tinyId="5120")
        self.assertEqual(ev["field"], "rule")
        self.finished("tinyId", "5120")

    def test_every_feed_headers_is_removed(self):
        env = fixture_envelope(self.sink.url)
        raw = json.dumps(env)
        raw = raw.replace('"alexis": {', '"alexis": {"Feed_Headers": '
                          '{"Authorization": "feed-secret"}, "feed_headers": '
                          '"feed-secret", ', 1)
        st, body, _ = self.post(raw)
        self.assertEqual(st, 202, body)
        fwd = self.sink.wait_for("POST", "/v1/action")[0]["body"]
        self.assertNotIn("feed-secret", fwd)
        self.assertNotIn("eed_headers", fwd.lower())
        self.finished("tinyId", "5120")

    def test_no_match_adds_investigation_team(self):
        self.post_no_match()
        team = self.sink.wait_for("POST", "/v2/alerts/")[0]
        self.assertEqual(team["json"]["team"]["name"],
                         "queue_needsinvestigation")
        fin = self.finished("tinyId", "77")
        self.assertEqual(fin["result"], "no_match")
        self.assertEqual(self.sink.find("POST", "/v1/action"), [])

    def test_dynatrace_v1_comment(self):
        env = fixture_envelope(self.sink.url, "dynatrace-v1.json")
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        pid = env["id"]
        fwd = self.sink.wait_for("POST", "/v1/action")[0]
        self.assertEqual(fwd["json"]["rule"]["rule_name"],
                         "dt_memory_saturation_dropcaches")
        c = self.sink.wait_for("POST", "/api/v1/problem/details/%s/comments"
                               % pid)[0]
        self.assertEqual(c["json"]["context"], "Alexis")
        self.assertIn("dt_memory_saturation_dropcaches", c["json"]["comment"])
        self.assertEqual(c["headers"]["authorization"], "Api-Token " + DT_TOKEN)
        self.assertEqual(self.finished("problem_id", pid)["result"], "matched")

    def test_dynatrace_v2_comment(self):
        env = fixture_envelope(self.sink.url, "dynatrace-v2.json")
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        pid = env["problemId"]
        c = self.sink.wait_for("POST", "/api/v2/problems/%s/comments" % pid)[0]
        self.assertEqual(c["json"]["context"], "Alexis")
        self.assertIn("dt_memory_saturation_dropcaches", c["json"]["message"])
        self.assertEqual(self.finished("problem_id", pid)["result"], "matched")

    def test_refused_comment_is_logged_in_the_apis_words(self):
        # A token without problems.write: Dynatrace answers 403, which is
        # not retried, and the log says what the API said.
        env = fixture_envelope(self.sink.url, "dynatrace-v2.json")
        pid = env["problemId"]
        self.sink.answer("POST", "/api/v2/problems/%s/comments" % pid, 403,
                         '{"error":{"code":403,"message":"Token is missing '
                         'required scope. Use one of: problems.write"}}')
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        ev = self.proc.wait_event("ticket_mark_failed", problem_id=pid)
        self.assertEqual(ev["status"], "403")
        self.assertEqual(ev["attempts"], "1")
        self.assertEqual(ev["error"], "HTTP 403 from ticket API: Token is "
                         "missing required scope. Use one of: problems.write")
        self.assertEqual(len(self.sink.find(
            "POST", "/api/v2/problems/%s/comments" % pid)), 1)

    def test_dynatrace_no_match_comment(self):
        env = fixture_envelope(self.sink.url, "dynatrace-v2.json")
        env["entityTags"] = []
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        c = self.sink.wait_for("POST", "/api/v2/problems/")[0]
        self.assertIn("no rule matched", c["json"]["message"])
        self.assertEqual(self.sink.find("POST", "/v1/action"), [])

    def test_unconfigured_base_url_is_refused(self):
        env = fixture_envelope("http://127.0.0.1:9/elsewhere")
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        self.sink.wait_for("POST", "/v1/action")
        ev = self.proc.wait_event("ticket_mark_refused", tinyId="5120")
        self.assertIn("not configured", ev["error"])
        self.finished("tinyId", "5120")
        self.assertEqual(self.sink.find("POST", "/v2/alerts"), [])

    def test_action_handler_failure_leaves_ticket_unmarked(self):
        self.sink.answer("POST", "/v1/action", 500, '{"error":"boom"}')
        st, _, _ = self.post(fixture_envelope(self.sink.url))
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["result"], "forward_failed")
        # Retried (bounded), then given up; no team so the poller retries.
        self.assertGreater(len(self.sink.find("POST", "/v1/action")), 1)
        self.assertEqual(self.sink.find("POST", "/v2/alerts"), [])
        self.proc.wait_event("action_forward_failed", tinyId="5120")

    def test_action_handler_413_sends_alert_to_investigation(self):
        # Too large for the action handler: it would refuse every retry, so
        # the alert is not left for the poller to offer forever (issue 11
        # #5): it goes to investigation, with the reason in the note.
        self.sink.answer("POST", "/v1/action", 413,
                         '{"error":"body larger than 1024 bytes"}')
        st, _, _ = self.post(fixture_envelope(self.sink.url))
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["result"], "forward_failed")
        self.assertEqual(len(self.sink.find("POST", "/v1/action")), 1)
        team = self.sink.wait_for("POST", "/v2/alerts/")[0]["json"]
        self.assertEqual(team["team"]["name"], "queue_needsinvestigation")
        self.assertIn("too large (HTTP 413", team["note"])
        self.proc.wait_event("ticket_marked", tinyId="5120",
                             mark="investigation_queue")

    def test_query_token_and_engineer_token(self):
        env = fixture_envelope(self.sink.url)
        st, _, _ = self.post(env, token=None, query="?token=" + POLLER_TOKEN)
        self.assertEqual(st, 202)
        st, _, _ = self.post(env, token=ENGINEER_TOKEN)
        self.assertEqual(st, 202)
        ev = self.proc.wait_event("request_finished", requestor="jdoe")
        self.assertEqual(ev["status"], "202")


class TestBadInput(ClassifierCase):
    extra = "  max_body_bytes: 4096\n"

    def test_missing_and_bad_token(self):
        env = fixture_envelope(self.sink.url)
        st, body, _ = self.post(env, token=None)
        self.assertEqual(st, 401)
        st, body, _ = self.post(env, token="wrong-token-xyz")
        self.assertEqual(st, 401)
        self.assertNotIn("wrong-token-xyz", body)
        self.assertEqual(json.loads(body)["status"], 401)

    def test_malformed_json(self):
        st, body, _ = self.post('{"alexis": {"feed_type": "opsgenie",\n '
                                '"unique_value": }')
        self.assertEqual(st, 400)
        self.assertIn("request body:2:", json.loads(body)["error"])

    def test_body_too_large(self):
        env = fixture_envelope(self.sink.url)
        env["description"] = "x" * 10000
        st, body, _ = self.post(env)
        self.assertEqual(st, 413, body)

    def test_missing_fields(self):
        st, body, _ = self.post({"tinyId": "1"})
        self.assertEqual(st, 400)
        self.assertIn("alexis", json.loads(body)["error"])
        st, body, _ = self.post({"alexis": {"feed_type": "opsgenie"}})
        self.assertEqual(st, 400)
        self.assertIn("alexis.unique_value", json.loads(body)["error"])

    def test_unknown_path_and_wrong_method(self):
        st, _, _ = http("GET", self.url + "/v1/nothing")
        self.assertEqual(st, 404)
        st, _, hdrs = http("GET", self.url + "/v1/classifier")
        self.assertEqual(st, 405)
        self.assertIn("POST", hdrs.get("Allow", ""))

    def test_not_json_content_type(self):
        st, _, _ = self.post("tinyId=1", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(st, 415)

    def test_nothing_was_sent(self):
        self.test_missing_fields()
        self.test_malformed_json()
        self.assertEqual(self.sink.find("POST"), [])


class TestRulesReload(ClassifierCase):
    def dry(self, env):
        st, body, _ = self.post(env, query="?dry_run=true")
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def rule(self, name, text="Long garbage-collection time", tags=None):
        with open(os.path.join(SRC, "rules", "ledger_gc_restart.json")) as f:
            r = json.load(f)
        r["rule_name"] = name
        r["evaluation_list"][0]["evaluation"]["search_text"] = text
        if tags is not None:
            r["evaluation_list"][0]["evaluation"]["tags"] = tags
        return json.dumps(r, indent=1)

    def matched(self, rep):
        return sorted(r["rule_name"] for r in rep["rules"] if r["matched"])

    def test_dry_run_reports_why(self):
        env = fixture_envelope(self.sink.url)
        env["tags"] = ["svc.ledger"]
        rep = self.dry(env)
        self.assertTrue(rep["dry_run"])
        why = {r["rule_name"]: r.get("reason") for r in rep["rules"]}
        self.assertEqual(why["ledger_gc_restart"],
                         "evaluation 1: tag env.prod missing")
        self.assertEqual(why["disabled_example"], "rule disabled")
        self.assertNotIn("dt_memory_saturation_dropcaches", why)
        env["tags"] = ["env.prod", "svc.ledger"]
        del env["message"]
        why = {r["rule_name"]: r.get("reason") for r in
               self.dry(env)["rules"]}
        self.assertEqual(why["ledger_gc_restart"],
                         "evaluation 1: search_key message absent")
        env["message"] = "something else"
        why = {r["rule_name"]: r.get("reason") for r in
               self.dry(env)["rules"]}
        self.assertEqual(why["ledger_gc_restart"],
                         "evaluation 1: regex did not match")
        # No side effects.
        self.assertEqual(self.sink.find("POST"), [])

    def test_add_edit_delete_seen_by_next_request(self):
        env = fixture_envelope(self.sink.url)
        self.assertEqual(self.matched(self.dry(env)), ["ledger_gc_restart"])
        path = self.tmp.write("rules/zz_new.json", self.rule("zz_new"))
        self.assertEqual(self.matched(self.dry(env)),
                         ["ledger_gc_restart", "zz_new"])
        # Same-size edit, immediately: the next request sees it.
        with open(path, "w") as f:
            f.write(self.rule("zz_new", text="Long garbage-collection tim3"))
        self.assertEqual(self.matched(self.dry(env)), ["ledger_gc_restart"])
        os.unlink(path)
        rep = self.dry(env)
        self.assertNotIn("zz_new", [r["rule_name"] for r in rep["rules"]])
        # And the real (asynchronous) path uses the same rules.
        self.tmp.write("rules/zz_async.json", self.rule("zz_async"))
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        fwd = self.sink.wait_for("POST", "/v1/action", count=2)
        self.assertEqual(sorted(f["json"]["rule"]["rule_name"] for f in fwd),
                         ["ledger_gc_restart", "zz_async"])

    def test_broken_file_skipped_others_work(self):
        self.tmp.write("rules/aa_broken.json",
                       '{"rule_name": "broken",\n "enabled": "true"\n'
                       ' "alert_feed": "opsgenie"}\n')
        rep = self.dry(fixture_envelope(self.sink.url))
        self.assertEqual(self.matched(rep), ["ledger_gc_restart"])
        errs = rep["rule_file_errors"]
        self.assertEqual(len(errs), 1)
        self.assertIn("aa_broken.json:3:", errs[0]["error"])
        # The file, not where the rules live (issue 11 item 11).
        self.assertEqual(errs[0]["file"], "aa_broken.json")
        self.assertTrue(errs[0]["error"].startswith("aa_broken.json:3:"))
        self.assertNotIn(self.tmp.path, json.dumps(rep))
        ev = self.proc.wait_event("rule_file_rejected")
        self.assertIn("aa_broken.json", ev["file"])

    def test_regex_on_non_string_is_no_match(self):
        self.tmp.write("rules/count.json", self.rule("count_rule").replace(
            '"search_key": "message"', '"search_key": "count"'))
        rep = self.dry(fixture_envelope(self.sink.url))
        why = {r["rule_name"]: r.get("reason") for r in rep["rules"]}
        self.assertEqual(why["count_rule"],
                         "evaluation 1: search_key count is not a string")


class TestRulesDirMissing(ClassifierCase):
    copy_rules = False

    def setUp(self):
        super().setUp()
        os.rmdir(self.tmp.join("rules"))

    def test_classification_fails_daemon_stays_up(self):
        env = fixture_envelope(self.sink.url)
        st, _, _ = self.post(env)
        self.assertEqual(st, 202)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["result"], "failed")
        self.assertIn("rules", fin["error"])
        st, _, _ = http("GET", self.url + "/v1/ping")
        self.assertEqual(st, 200)
        # Not marked as "needs investigation": the rules could not be read.
        self.assertEqual(self.sink.find("POST", "/v2/alerts"), [])
        # The directory appears: the next request uses it.
        shutil.copytree(os.path.join(SRC, "rules"), self.tmp.join("rules"))
        st, body, _ = self.post(env, query="?dry_run=true")
        self.assertEqual(st, 200, body)
        self.assertIn("ledger_gc_restart", body)


class TestQueueFull(ClassifierCase):
    extra = "  workers: 1\n  queue_size: 1\n"

    def test_full_queue_answers_503(self):
        # The action handler stalls, so the single worker stays busy.
        self.sink.answer("POST", "/v1/action", 202, "{}", delay=1.0)
        env = fixture_envelope(self.sink.url)
        codes = [self.post(env)[0] for _ in range(6)]
        self.assertIn(503, codes)
        self.assertIn(202, codes)
        self.assertTrue(all(c in (202, 503) for c in codes), codes)
        self.proc.wait_event("classification_rejected")


class TestStartup(unittest.TestCase):
    def test_broken_yaml_exits_1_with_location(self):
        tmp = TempDir()
        try:
            conf = tmp.write("alexis.conf.yaml",
                             "classifier:\n  listener:\n    port: 1\n"
                             "   hostname: x\n")
            p = Proc([bin_path("alexis-classifier"), "--config", conf],
                     tmp.join("log"))
            rc = p.wait_exit(timeout=10)
            out = "\n".join(p.lines())
            p.stop()
            self.assertEqual(rc, 1)
            self.assertRegex(out, r"alexis.conf.yaml:\d+:\d+: error: ")
        finally:
            tmp.cleanup()

    def test_port_in_use_is_a_clear_start_failure(self):
        # Another listener on the port: no silent sharing (SO_REUSEPORT),
        # exit 1 naming the address.
        tmp, sink = TempDir(), Sink()
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            other.listen(1)
            port = other.getsockname()[1]
            try:
                conf = write_config(tmp, sink)
                with open(conf) as f:
                    text = f.read().replace("port: 0}", "port: %d}" % port)
                with open(conf, "w") as f:
                    f.write(text)
                p = Proc([bin_path("alexis-classifier"), "--config", conf],
                         tmp.join("log"))
                rc = p.wait_exit(timeout=10)
                p.stop()
                self.assertEqual(rc, 1)
                ev = p.events("startup_failed")
                self.assertIn("cannot listen on 127.0.0.1 port %d: Address "
                              "already in use" % port, ev[0]["error"])
            finally:
                sink.close()
                tmp.cleanup()


def privileged_port():
    """A free TCP port below 1024 on 127.0.0.1, chosen now."""
    for port in range(1023, 899, -1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise unittest.SkipTest("no free port below 1024")


@unittest.skipUnless(run_as_user(), "needs root and the user " + RUN_AS)
class TestRunAs(unittest.TestCase):
    """--user: bind as root, then run as the user, reading every file as
    that user from the start."""

    def setUp(self):
        self.pw = run_as_user()
        self.tmp = TempDir()
        self.sink = Sink()
        self.proc = None
        os.makedirs(self.tmp.join("rules"))
        shutil.copy(os.path.join(SRC, "rules", "ledger_gc_restart.json"),
                    self.tmp.join("rules"))
        self.conf = write_config(self.tmp, self.sink)

    def tearDown(self):
        if self.proc is not None:
            self.proc.stop()
        self.sink.close()
        self.tmp.cleanup()

    def cmd(self, user=RUN_AS):
        return [bin_path("alexis-classifier"), "--config", self.conf,
                "--user", user]

    def test_binds_a_privileged_port_then_runs_as_the_user(self):
        port = privileged_port()
        with open(self.conf) as f:
            text = f.read().replace("port: 0}", "port: %d}" % port)
        with open(self.conf, "w") as f:
            f.write(text)
        chown_tree(self.tmp.path, self.pw)
        self.proc, url = start_daemon(self.cmd(), self.tmp.join("c.log"))
        self.assertEqual(url, "http://127.0.0.1:%d" % port)
        ids = proc_ids(self.proc.pid)
        self.assertEqual(ids["Uid"], [str(self.pw.pw_uid)] * 4)
        self.assertEqual(ids["Gid"], [str(self.pw.pw_gid)] * 4)
        self.assertEqual(ids["Groups"], [str(self.pw.pw_gid)])
        ev = self.proc.events("privileges_dropped")
        self.assertEqual(ev[0]["user"], RUN_AS)
        self.assertEqual(self.proc.events("running_as_root"), [])
        # Rules and the runtime token are read as the user.
        st, body, _ = http("POST", url + "/v1/classifier",
                           fixture_envelope(self.sink.url),
                           {"Authorization": "Bearer " + POLLER_TOKEN})
        self.assertEqual(st, 202, body)
        fwd = self.sink.wait_for("POST", "/v1/action")[0]
        self.assertEqual(fwd["headers"]["authorization"],
                         "Bearer " + RUNTIME_TOKEN)
        self.sink.wait_for("POST", "/v2/alerts/")

    def test_a_file_the_user_cannot_read_stops_the_start(self):
        chown_tree(self.tmp.path, self.pw)
        clients = self.tmp.join("tokens", "clients.classifier.json")
        os.chown(clients, 0, 0)
        os.chmod(clients, 0o600)
        self.proc = Proc(self.cmd(), self.tmp.join("c.log"))
        self.assertEqual(self.proc.wait_exit(), 1)
        ev = self.proc.events("startup_failed")
        self.assertIn(clients, ev[0]["error"])
        self.assertEqual(self.proc.events("listening"), [])

    def test_unknown_user_is_fatal(self):
        self.proc = Proc(self.cmd("alexis-no-such-user"),
                         self.tmp.join("c.log"))
        self.assertEqual(self.proc.wait_exit(), 1)
        ev = self.proc.events("privilege_drop_failed")
        self.assertEqual(ev[0]["error"], "no such user")
        self.assertEqual(self.proc.events("listening"), [])

    def test_root_without_user_is_warned_about(self):
        self.proc, _ = start_daemon(
            [bin_path("alexis-classifier"), "--config", self.conf],
            self.tmp.join("c.log"))
        self.assertEqual(len(self.proc.events("running_as_root")), 1)
        self.assertEqual(proc_ids(self.proc.pid)["Uid"], ["0"] * 4)



class TestDevelopmentIsADryRun(ClassifierCase):
    """classifier.development: classify and log; forward and mark
    nothing (what the original's users expect of it)."""
    extra = "  development: true"

    def test_match_is_logged_not_forwarded_nor_marked(self):
        env = fixture_envelope(self.sink.url)
        st, body, _ = self.post(env)
        self.assertEqual(st, 202, body)
        fin = self.finished("tinyId", "5120")
        self.assertEqual(fin["result"], "matched")
        skip = self.proc.events("action_forward_skipped", tinyId="5120")
        self.assertEqual(skip[0]["rule_name"], "ledger_gc_restart")
        self.assertIn("development", skip[0]["reason"])
        self.assertEqual(len(self.proc.events("ticket_mark_skipped",
                                              tinyId="5120")), 1)
        self.assertEqual(self.sink.find("POST"), [])
        self.assertEqual(self.proc.events("action_forwarded"), [])

    def test_no_match_marks_nothing(self):
        self.post_no_match()
        self.assertEqual(self.finished("tinyId", "77")["result"], "no_match")
        ev = self.proc.events("ticket_mark_skipped", tinyId="77")
        self.assertEqual(ev[0]["mark"], "investigation_queue")
        self.assertEqual(self.sink.find("POST"), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
