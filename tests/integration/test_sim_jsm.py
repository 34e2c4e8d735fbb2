"""Integration tests of alexis-sim's JSM operations alert API.

Written from api/jsm-ops.md (the facts page), not from Alexis's client.
Each test starts its own simulator on 127.0.0.1 with an ephemeral port,
talks to /jsm/ops/api/{cloudId}/v1/... with urllib and stops it by pid.
Waiting is always a poll with a deadline, never a fixed sleep.
"""
import base64
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (SimAdmin, TempDir, bin_path, http,  # noqa: E402
                     start_sim, wait_until, JSM_CLOUD_ID, JSM_EMAIL, JSM_TOKEN)

ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$")
READ = "read:ops-alert:jira-service-management"
WRITE = "write:ops-alert:jira-service-management"
DELETE = "delete:ops-alert:jira-service-management"
FULL = ("ops@example.com", "full-token-0123456789")
RO = ("viewer@example.com", "read-token-0123456789")


def basic(user, token):
    raw = ("%s:%s" % (user, token)).encode()
    return "Basic " + base64.b64encode(raw).decode()


def q(s):
    return urllib.parse.quote(s, safe="")


class JsmCase(unittest.TestCase):
    """One simulator per test; the default user plus a full-scope and a
    read-only one."""

    sim_args = []

    def setUp(self):
        self.tmp = TempDir()
        self.log = self.tmp.join("sim.log")
        self.proc, self.base = start_sim(
            self.log,
            "--jsm-user", "%s:%s:%s,%s" % (JSM_EMAIL, JSM_TOKEN, READ, WRITE),
            "--jsm-user", "%s:%s" % FULL,
            "--jsm-user", "%s:%s:%s" % (RO[0], RO[1], READ), *self.sim_args)
        self.sim = SimAdmin(self.base, timeout=60)
        self.api = "%s/jsm/ops/api/%s/v1" % (self.base, JSM_CLOUD_ID)

    def tearDown(self):
        rc = self.proc.stop()
        self.tmp.cleanup()
        self.assertEqual(rc, 0, "alexis-sim did not exit cleanly")

    def jsm(self, method, path, body=None, user=(JSM_EMAIL, JSM_TOKEN),
            url=None):
        hdrs = {"Authorization": basic(*user)} if user else {}
        st, text, h = http(method, url or self.api + path, body, hdrs)
        return st, (json.loads(text) if text else None), h

    def assert_errors(self, body):
        """JSM's usual error shape: {"errors":[{"title","code"}]}."""
        self.assertEqual(set(body), {"errors"}, body)
        self.assertTrue(body["errors"][0]["title"])
        self.assertTrue(body["errors"][0]["code"])

    def assert_receipt(self, st, body):
        self.assertEqual(st, 202, body)
        self.assertEqual(set(body), {"result", "requestId", "took"})
        return body["requestId"]

    def wait_request(self, rid, timeout=5.0):
        """The receipt's outcome once processed (404 until then)."""
        def processed():
            st, body, _ = self.jsm("GET", "/alerts/requests/" + rid)
            if st == 200:
                return body
            self.assertEqual(st, 404)
            self.assert_errors(body)
            return None
        return wait_until(processed, timeout, "request %s processed" % rid,
                          0.01)

    def one_alert(self, **fields):
        a = dict({"message": "disk full on db07", "alias": "db07-disk"},
                 **fields)
        return self.sim.add_jsm_alerts(a)


class TestReads(JsmCase):

    def test_alert_object_shape(self):
        a = self.one_alert(description="d", entity="db07",
                           extraProperties={"host": "db07"},
                           responders=[{"id": "team-1", "type": "team"}],
                           tags=["disk"], priority="P2")
        st, body, _ = self.jsm("GET", "/alerts/" + a["id"])
        self.assertEqual(st, 200, body)
        for key in ("id", "tinyId", "alias", "message", "description",
                    "entity", "source", "status", "acknowledged", "priority",
                    "count", "tags", "owner", "responders",
                    "extraProperties", "createdAt", "updatedAt",
                    "lastOccuredAt"):
            self.assertIn(key, body)
        for absent in ("data", "success", "details", "teams", "report",
                       "integration", "lastOccurredAt", "isSeen"):
            self.assertNotIn(absent, body)
        self.assertEqual(body["status"], "open")
        self.assertEqual(body["extraProperties"], {"host": "db07"})
        self.assertEqual(body["responders"], [{"id": "team-1",
                                               "type": "team"}])
        for t in ("createdAt", "updatedAt", "lastOccuredAt"):
            self.assertRegex(body[t], ISO_RE)
        # The full id only: a tinyId is refused.
        st, body, _ = self.jsm("GET", "/alerts/" + a["tinyId"])
        self.assertEqual(st, 404)
        self.assert_errors(body)

    def test_list_query_sort_and_status(self):
        self.sim.add_jsm_alerts([
            {"message": "a", "priority": "P3", "tags": ["x"]},
            {"message": "b", "priority": "P1", "status": "acked"},
            {"message": "c", "priority": "P5", "status": "closed"},
            {"message": "d", "priority": "P2", "status": "snoozed"},
        ])
        st, body, _ = self.jsm("GET", "/alerts")
        self.assertEqual(st, 200, body)
        self.assertEqual(set(body), {"values", "count", "links"})
        self.assertEqual(body["count"], 4)
        # insertedAt, newest first, by default.
        self.assertEqual([v["message"] for v in body["values"]],
                         ["d", "c", "b", "a"])
        self.assertEqual([v["status"] for v in body["values"]],
                         ["snoozed", "closed", "acked", "open"])
        self.assertNotIn("extraProperties", body["values"][0])
        st, body, _ = self.jsm("GET", "/alerts?sort=priority&order=asc")
        self.assertEqual([v["priority"] for v in body["values"]],
                         ["P1", "P2", "P3", "P5"])
        st, body, _ = self.jsm("GET", "/alerts?query=" + q("status: open"))
        self.assertEqual([v["message"] for v in body["values"]], ["a"])
        st, body, _ = self.jsm("GET", "/alerts?query=" +
                               q("status: acked OR tag: x"))
        self.assertEqual(body["count"], 2)
        for bad in ("/alerts?query=" + q("status:"), "/alerts?sort=tinyId",
                    "/alerts?order=up", "/alerts?size=0",
                    "/alerts?size=101", "/alerts?offset=-1"):
            st, body, _ = self.jsm("GET", bad)
            self.assertEqual(st, 400, bad)
            self.assert_errors(body)

    def test_paging_across_the_cap(self):
        # In steps, so a sanitizer build on a busy machine stays well inside
        # each request's timeout.
        for _ in range(10):
            st, body = self.sim.admin("POST", "jsm/alerts", [
                {"message": "gc", "tags": ["bench"]}] * 2010)
            self.assertEqual(st, 201, body)
        st, body, _ = self.jsm("GET", "/alerts?size=100&query=" +
                               q("status: open AND tag: bench"))
        self.assertEqual(st, 200, body)
        self.assertEqual(body["count"], 20100)
        self.assertEqual(len(body["values"]), 100)
        first = [v["id"] for v in body["values"]]
        # insertedAt, newest first: the last one created leads.
        self.assertEqual(body["values"][0]["tinyId"], "20100")
        nxt = body["links"]["next"]
        self.assertIn("offset=100", nxt)
        self.assertIn("query=status%3A%20open", nxt)
        st, body, _ = self.jsm("GET", None, url=nxt)
        self.assertEqual(st, 200)
        self.assertEqual(len(body["values"]), 100)
        self.assertFalse(set(first) & {v["id"] for v in body["values"]})
        # The last full page under the cap still links on (matches remain);
        # following that link breaks the cap: JSM's error.
        st, body, _ = self.jsm("GET", "/alerts?offset=19800&size=100")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["values"]), 100)
        self.assertIn("offset=19900", body["links"]["next"])
        st, body, _ = self.jsm("GET", None, url=body["links"]["next"])
        self.assertEqual(st, 400)
        self.assert_errors(body)
        self.assertIn("20000", body["errors"][0]["title"])
        st, body, _ = self.jsm("GET", "/alerts?offset=19899&size=100")
        self.assertEqual(st, 200)
        st, body, _ = self.jsm("GET", "/alerts?offset=19900&size=99")
        self.assertEqual((st, len(body["values"])), (200, 99))
        self.assertIn("next", body["links"])
        # The default size is 20; a short last page has no next link.
        st, body, _ = self.jsm("GET", "/alerts?offset=20&query=" +
                               q("status: closed"))
        self.assertEqual((st, body["count"], body["values"]), (200, 0, []))
        self.assertEqual(body["links"], {})


class TestAuth(JsmCase):

    def test_basic_auth_and_cloud_id(self):
        st, body, _ = self.jsm("GET", "/alerts")
        self.assertEqual(st, 200)
        for user in ((JSM_EMAIL, "wrong-token"), ("other@example.com",
                                                   JSM_TOKEN), None):
            st, body, _ = self.jsm("GET", "/alerts", user=user)
            self.assertEqual(st, 401, user)
            self.assertEqual(set(body), {"code", "message"})
            self.assertEqual(body["code"], 401)
        st, text, _ = http("GET", self.api + "/alerts", headers={
            "Authorization": "Bearer " + JSM_TOKEN})
        self.assertEqual(st, 401)
        url = "%s/jsm/ops/api/%s/v1/alerts" % (self.base, "0" * 36)
        st, body, _ = self.jsm("GET", None, url=url)
        self.assertEqual(st, 404)
        self.assert_errors(body)
        # Bad credentials are told before whether a site exists.
        st, body, _ = self.jsm("GET", None, url=url, user=None)
        self.assertEqual(st, 401)

    def test_scopes(self):
        a = self.one_alert(tags=["keep", "drop"])
        # Read-only: reads pass, a write is "scope does not match" (401).
        st, body, _ = self.jsm("GET", "/alerts/" + a["id"], user=RO)
        self.assertEqual(st, 200)
        st, body, _ = self.jsm("POST", "/alerts/%s/tags" % a["id"],
                               {"tags": ["x"]}, user=RO)
        self.assertEqual(st, 401)
        self.assertEqual(body["code"], 401)
        self.assertIn("scope does not match", body["message"])

    def test_credentials_never_logged(self):
        self.jsm("GET", "/alerts")
        self.jsm("GET", "/alerts", user=(JSM_EMAIL, "bad-guess-123"))
        self.proc.stop()
        with open(self.log, encoding="utf-8") as f:
            text = f.read()
        for secret in (JSM_TOKEN, FULL[1], RO[1], "bad-guess-123",
                       basic(JSM_EMAIL, JSM_TOKEN).split()[1]):
            self.assertNotIn(secret, text)
        self.assertIn("endpoint=jsm.list", text)

    def test_bad_credential_spec_is_refused(self):
        for spec in ("no-token", "a@x.org:secret-tok:read"):
            r = subprocess.run([bin_path("alexis-sim"), "--jsm-user", spec,
                                "--check"], capture_output=True, text=True,
                               timeout=10, check=False)
            self.assertEqual(r.returncode, 1, spec)
            self.assertIn("JSM", r.stderr)
            self.assertNotIn("secret-tok", r.stderr)


class TestWrites(JsmCase):

    sim_args = ["--apply-delay-ms", "200"]

    def test_notes_answered_200(self):
        a = self.one_alert()
        st, body, _ = self.jsm("POST", "/alerts/%s/notes" % a["id"],
                               {"note": "remediation started"})
        self.assertEqual(st, 200, body)
        self.assertEqual(set(body), {"id", "createdAt", "updatedAt", "note",
                                     "owner"})
        self.assertEqual(body["note"], "remediation started")
        self.assertEqual(body["owner"], JSM_EMAIL)
        # A 200 note is there at once.
        self.assertEqual([n["note"] for n in
                          self.sim.jsm_alert(a["id"])["notes"]],
                         ["remediation started"])
        st, body, _ = self.jsm("POST", "/alerts/%s/notes" % a["id"],
                               {"note": "exit 0"})
        self.assertEqual(st, 200, body)
        st, body, _ = self.jsm("GET", "/alerts/%s/notes?size=1" % a["id"])
        self.assertEqual(st, 200)
        self.assertEqual([n["note"] for n in body["values"]], ["exit 0"])
        st, body, _ = self.jsm("GET", None, url=body["links"]["next"])
        self.assertEqual([n["note"] for n in body["values"]],
                         ["remediation started"])
        self.assertNotIn("next", body["links"])
        for bad in ({"note": ""}, {"note": "x" * 25001}, {"text": "x"}):
            st, body, _ = self.jsm("POST", "/alerts/%s/notes" % a["id"],
                                   bad)
            self.assertEqual(st, 400)
            self.assert_errors(body)
        st, body, _ = self.jsm("POST", "/alerts/%s/notes" % a["id"], "{x")
        self.assertEqual(st, 400)
        self.assert_errors(body)

    def test_note_on_missing_alert(self):
        st, body, _ = self.jsm("POST", "/alerts/nope/notes", {"note": "x"})
        self.assertEqual(st, 404)
        self.assert_errors(body)

    def test_tags_responders_with_receipts(self):
        a = self.one_alert(tags=["disk"])
        st, body, _ = self.jsm("POST", "/alerts/%s/tags" % a["id"],
                               {"tags": ["queue_autoremediation"]})
        rid = self.assert_receipt(st, body)
        # 404 until processed, then the outcome.
        st, pending, _ = self.jsm("GET", "/alerts/requests/" + rid)
        self.assertEqual(st, 404)
        done = self.wait_request(rid)
        self.assertEqual(set(done), {"action", "processedAt",
                                     "integrationId", "isSuccess", "status",
                                     "alertId", "alias"})
        self.assertEqual((done["action"], done["isSuccess"]),
                         ("Add Tags", True))
        st, body, _ = self.jsm("POST", "/alerts/%s/responders" % a["id"],
                               {"id": "team-remediation", "type": "team"})
        self.wait_request(self.assert_receipt(st, body))
        st, body, _ = self.jsm("GET", "/alerts/" + a["id"])
        self.assertEqual(body["tags"], ["disk", "queue_autoremediation"])
        self.assertIn({"id": "team-remediation", "type": "team"},
                      body["responders"])
        # A write on an alert that does not exist fails in its receipt.
        st, body, _ = self.jsm("POST", "/alerts/nope/tags", {"tags": ["x"]})
        done = self.wait_request(self.assert_receipt(st, body))
        self.assertFalse(done["isSuccess"])

    def test_write_validation(self):
        a = self.one_alert()
        path = "/alerts/%s/" % a["id"]
        for sub, body in (("tags", {}), ("tags", {"tags": []}),
                          ("tags", {"tags": ["x" * 51]}),
                          ("tags", {"tags": ["t%d" % i for i in range(21)]}),
                          ("responders", {"id": "u1", "type": "user"}),
                          ("responders", {"type": "team"}),
                          ("tags", [1])):
            st, resp, _ = self.jsm("POST", path + sub, body)
            self.assertEqual(st, 400, (sub, body))
            self.assert_errors(resp)
        st, resp, _ = self.jsm("PUT", path + "tags", {"tags": ["x"]})
        self.assertEqual(st, 405)
        self.assert_errors(resp)
        st, resp, _ = self.jsm("GET", "/incidents")
        self.assertEqual(st, 404)


class TestNotes202Flag(JsmCase):

    sim_args = ["--jsm-notes-202", "--apply-delay-ms", "0"]

    def test_flag_answers_receipts(self):
        a = self.one_alert()
        st, body, _ = self.jsm("POST", "/alerts/%s/notes" % a["id"],
                               {"note": "queued"})
        done = self.wait_request(self.assert_receipt(st, body))
        self.assertEqual(done["action"], "Add Note")
        self.assertTrue(done["isSuccess"])
        self.assertNotIn("success", done)
        self.assertEqual(done["alertId"], a["id"])
        self.assertEqual(self.sim.jsm_alert(a["id"])["notes"][0]["note"],
                         "queued")


class TestFaults(JsmCase):

    def test_429_with_and_without_retry_after(self):
        self.sim.fault([
            {"endpoint": "jsm.list", "kind": "429", "retryAfterSec": 3},
            {"endpoint": "jsm.*", "kind": "429", "retryAfterSec": 0,
             "count": 2},
        ])
        st, body, h = self.jsm("GET", "/alerts")
        self.assertEqual(st, 429)
        self.assert_errors(body)
        self.assertEqual(h.get("Retry-After"), "3")
        st, body, h = self.jsm("GET", "/alerts")
        self.assertEqual(st, 429)
        self.assertIsNone(h.get("Retry-After"))
        a = self.one_alert()
        st, body, h = self.jsm("POST", "/alerts/%s/tags" % a["id"],
                               {"tags": ["x"]})
        self.assertEqual(st, 429)
        self.assertIsNone(h.get("Retry-After"))
        st, body, _ = self.jsm("GET", "/alerts")
        self.assertEqual(st, 200)
        stats = self.sim.stats()["endpoints"]
        self.assertEqual(stats["jsm.list"]["429"], 2)
        self.assertEqual(stats["jsm.tags.add"]["429"], 1)


class TestRateLimit(JsmCase):

    sim_args = ["--rate-limit", "jsm.search=0.5/1"]

    def test_rate_limit_bucket_and_errors(self):
        st, _, _ = self.jsm("GET", "/alerts")
        self.assertEqual(st, 200)
        st, body, h = self.jsm("GET", "/alerts")
        self.assertEqual(st, 429)
        self.assertGreaterEqual(int(h.get("Retry-After")), 1)
        self.sim.fault({"endpoint": "jsm.get", "kind": "error",
                        "status": 503})
        st, body, _ = self.jsm("GET", "/alerts/x")
        self.assertEqual(st, 503)
        self.assert_errors(body)


class TestAdmin(JsmCase):

    def test_create_and_views(self):
        a = self.one_alert(status="acked", lastOccuredAt="now-5m",
                           integrationName="Prometheus",
                           notes=[{"note": "seen", "owner": "x"}])
        self.assertEqual(a["status"], "acked")
        self.assertEqual(a["integrationName"], "Prometheus")
        self.assertEqual(a["notes"][0]["note"], "seen")
        st, body = self.sim.admin("POST", "jsm/alerts", {"status": "resolved"})
        self.assertEqual(st, 422)
        st, body = self.sim.admin("GET", "jsm/alerts")
        self.assertEqual([x["id"] for x in body["data"]], [a["id"]])
        # The OpsGenie API sees the same alerts, as for a migrated account.
        st, text, _ = http("GET", self.base + "/_admin/opsgenie/alerts/" +
                           a["id"])
        self.assertEqual(st, 200)


if __name__ == "__main__":
    unittest.main()
