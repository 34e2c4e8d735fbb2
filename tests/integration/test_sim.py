"""Integration tests of alexis-sim, the OpsGenie + Dynatrace simulator.

Each test starts its own simulator on 127.0.0.1 with an ephemeral port
(read from the `listening` event), talks to it over HTTP and stops it by
pid. Waiting is always a poll with a deadline, never a fixed sleep.
"""
import http.client as httpclient
import json
import os
import re
import sys
import time
import unittest
import urllib.error
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Proc, SimAdmin, TempDir, bin_path, http,  # noqa: E402
                     now_ms, start_sim, wait_until, DT_TOKEN, GENIE_KEY, SRC)

ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$")
ALEXIS_QUERY = ("status=open AND teams=payments_incoming AND "
                "teams!=queue_autoremediation AND "
                "teams!=queue_needsinvestigation AND createdAt>%d")


class SimCase(unittest.TestCase):
    """One simulator per test."""

    sim_args = []

    def setUp(self):
        self.tmp = TempDir()
        self.proc, self.base = start_sim(
            self.tmp.join("sim.log"), *self.sim_args)
        self.sim = SimAdmin(self.base)

    def tearDown(self):
        rc = self.proc.stop()
        self.tmp.cleanup()
        self.assertEqual(rc, 0, "alexis-sim did not exit cleanly")

    # -- helpers -----------------------------------------------------
    def og(self, method, path, body=None, key=GENIE_KEY):
        hdrs = {"Authorization": "GenieKey " + key} if key else {}
        st, text, h = http(method, self.base + path, body, hdrs)
        return st, (json.loads(text) if text else None), h

    def dt(self, method, path, body=None, token=DT_TOKEN):
        hdrs = {"Authorization": "Api-Token " + token} if token else {}
        st, text, h = http(method, self.base + path, body, hdrs)
        return st, (json.loads(text) if text else None), h

    def wait_request(self, rid, timeout=5.0):
        """The status of an async request, once applied."""
        def applied():
            st, body, h = self.og("GET", "/v2/alerts/requests/" + rid)
            if st == 200:
                return body["data"]
            self.assertEqual(st, 404)
            self.assertEqual(h.get("X-Opsgenie-Errortype"),
                             "RequestNotProcessed")
            return None
        return wait_until(applied, timeout, "request %s applied" % rid, 0.01)

    def act(self, method, path, body=None):
        """An async OpsGenie action: 202, then wait until applied."""
        st, resp, _ = self.og(method, path, body)
        self.assertEqual(st, 202, resp)
        self.assertEqual(resp["result"], "Request will be processed")
        return self.wait_request(resp["requestId"])


def q(s):
    return urllib.parse.quote(s, safe="")


class TestOpsGenieReads(SimCase):

    def test_list_paging_and_item_shape(self):
        base = now_ms() - 600000
        self.sim.add_alerts([{"message": "alert %d" % i, "createdAt": base + i,
                              "description": "d", "entity": "e",
                              "details": {"k": "v"}, "actions": ["x"]}
                             for i in range(45)])
        st, body, h = self.og("GET", "/v2/alerts?limit=20")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["data"]), 20)
        self.assertIn("next", body["paging"])
        self.assertIn("requestId", body)
        self.assertIn("took", body)
        self.assertEqual(h.get("X-Request-ID"), body["requestId"])
        item = body["data"][0]
        self.assertEqual(item["message"], "alert 44")   # newest first
        for absent in ("description", "details", "entity", "actions"):
            self.assertNotIn(absent, item)
        self.assertIsInstance(item["tinyId"], str)
        self.assertRegex(item["createdAt"], ISO_RE)
        nxt = urllib.parse.urlparse(body["paging"]["next"])
        st, body, _ = self.og("GET", nxt.path + "?" + nxt.query)
        self.assertEqual(body["data"][0]["message"], "alert 24")
        st, body, _ = self.og("GET", "/v2/alerts?offset=40&limit=20")
        self.assertEqual(len(body["data"]), 5)
        self.assertNotIn("next", body["paging"])
        st, body, _ = self.og("GET", "/v2/alerts?limit=10&order=asc")
        self.assertEqual(body["data"][0]["message"], "alert 0")

    def test_limits_are_enforced(self):
        for path in ("/v2/alerts?limit=101", "/v2/alerts?limit=0",
                     "/v2/alerts?offset=19950&limit=100",
                     "/v2/alerts?sort=bogus"):
            st, body, _ = self.og("GET", path)
            self.assertEqual(st, 422, path)
            self.assertIn("message", body)
        st, body, _ = self.og("GET", "/v2/alerts?offset=19900&limit=100")
        self.assertEqual(st, 200)

    def test_query_of_the_original_poller(self):
        t0 = now_ms() - 3600000
        self.sim.add_alerts([
            {"message": "new", "alias": "a-new", "createdAt": t0 + 1000,
             "teams": [{"name": "payments_incoming"}]},
            {"message": "old", "alias": "a-old", "createdAt": t0 - 1000,
             "teams": [{"name": "payments_incoming"}]},
            {"message": "routed", "alias": "a-routed",
             "createdAt": t0 + 2000,
             "teams": [{"name": "payments_incoming"},
                       {"name": "queue_autoremediation"}]},
            {"message": "closed", "alias": "a-closed", "status": "closed",
             "createdAt": t0 + 3000,
             "teams": [{"name": "payments_incoming"}]},
            {"message": "other team", "alias": "a-other",
             "createdAt": t0 + 4000, "teams": [{"name": "db_incoming"}],
             "tags": ["disk"]},
        ])
        st, body, _ = self.og("GET", "/v2/alerts?query=" +
                              q(ALEXIS_QUERY % t0))
        self.assertEqual(st, 200, body)
        self.assertEqual([a["alias"] for a in body["data"]], ["a-new"])
        st, body, _ = self.og("GET", "/v2/alerts?query=" +
                              q("tag: disk OR status: closed"))
        self.assertEqual(sorted(a["alias"] for a in body["data"]),
                         ["a-closed", "a-other"])
        st, body, _ = self.og("GET", "/v2/alerts?query=" + q("status:"))
        self.assertEqual(st, 422)
        self.assertIn("query", body["errors"])
        st, body, _ = self.og("GET", "/v2/alerts?query=" +
                              q("status: open") + "&limit=1")
        self.assertEqual(len(body["data"]), 1)
        self.assertIn("next", body["paging"])
        self.assertIn("query=status%3A%20open", body["paging"]["next"])

    def test_get_by_id_tiny_alias(self):
        a = self.sim.add_alerts({"message": "disk", "alias": "db07/var full",
                                 "tinyId": "5121", "entity": "db07",
                                 "details": {"mount": "/var"}})
        for path in ("/v2/alerts/" + q(a["id"]),
                     "/v2/alerts/5121?identifierType=tiny",
                     "/v2/alerts/" + q("db07/var full") +
                     "?identifierType=alias"):
            st, body, _ = self.og("GET", path)
            self.assertEqual(st, 200, path)
            d = body["data"]
            self.assertEqual(d["id"], a["id"])
            self.assertEqual(d["tinyId"], "5121")
            self.assertEqual(d["entity"], "db07")
            self.assertEqual(d["details"], {"mount": "/var"})
            self.assertEqual(d["description"], "")
            self.assertEqual(d["actions"], [])
        st, body, _ = self.og("GET", "/v2/alerts/999?identifierType=tiny")
        self.assertEqual(st, 404)
        self.assertEqual(set(body), {"message", "took", "requestId"})
        st, body, _ = self.og("GET", "/v2/alerts/1?identifierType=x")
        self.assertEqual(st, 422)

    def test_missing_fields_are_filled(self):
        a = self.sim.add_alerts({"message": "bare"})
        self.assertRegex(a["id"], r"^[0-9a-f-]{36}-\d{13}$")
        self.assertEqual(a["alias"], a["id"])
        self.assertEqual(a["status"], "open")
        self.assertEqual(a["priority"], "P3")
        b = self.sim.add_alerts({"message": "second"})
        self.assertEqual(int(b["tinyId"]), int(a["tinyId"]) + 1)
        st, body = self.sim.admin("POST", "opsgenie/alerts",
                                  {"message": "x", "priority": "P9"})
        self.assertEqual(st, 422)


class TestOpsGenieAsync(SimCase):

    sim_args = ["--apply-delay-ms", "300"]

    def test_request_is_applied_later(self):
        self.sim.add_alerts({"message": "m", "tinyId": "7", "alias": "al"})
        st, body, h = self.og("POST", "/v2/alerts/7/notes?identifierType=tiny",
                              {"note": "exit_status=0 on db07",
                               "user": "Alexis"})
        self.assertEqual(st, 202)
        rid = body["requestId"]
        st, err, h = self.og("GET", "/v2/alerts/requests/" + rid)
        self.assertEqual(st, 404)
        self.assertEqual(h.get("X-Opsgenie-Errortype"), "RequestNotProcessed")
        self.assertEqual(self.sim.alert("7")["notes"], [])
        data = self.wait_request(rid)
        self.assertTrue(data["success"])
        self.assertTrue(data["isSuccess"])
        self.assertEqual(data["action"], "Add Note")
        self.assertEqual(data["status"], "Added note")
        self.assertEqual(data["alias"], "al")
        self.assertRegex(data["processedAt"], ISO_RE)
        notes = self.sim.alert("7")["notes"]
        self.assertEqual([n["note"] for n in notes], ["exit_status=0 on db07"])
        self.assertEqual(notes[0]["owner"], "Alexis")


class TestOpsGenieActions(SimCase):

    def setUp(self):
        super().setUp()
        self.a = self.sim.add_alerts({
            "message": "gc", "tinyId": "5120", "alias": "gc-alias",
            "tags": ["env.prod"], "teams": [{"name": "payments_incoming"}]})

    def test_team_note_close(self):
        tiny = "/v2/alerts/5120/%s?identifierType=tiny"
        d = self.act("POST", tiny % "teams",
                     {"team": {"name": "queue_autoremediation"},
                      "user": "Alexis Automation",
                      "note": "Autoremediation has started"})
        self.assertEqual(d["action"], "Add Team")
        d = self.act("POST", "/v2/alerts/%s/close" % q(self.a["id"]),
                     {"user": "Alexis", "note": "closed by rule"})
        self.assertEqual(d["status"], "Closed alert")
        s = self.sim.alert("5120")
        self.assertEqual([t["name"] for t in s["teams"]],
                         ["payments_incoming", "queue_autoremediation"])
        self.assertTrue(all(t["id"] for t in s["teams"]))
        self.assertEqual(s["status"], "closed")
        self.assertEqual(s["report"]["closedBy"], "Alexis")
        self.assertEqual([n["note"] for n in s["notes"]],
                         ["Autoremediation has started", "closed by rule"])
        # Teams in API answers carry ids only, as the real service.
        st, body, _ = self.og("GET", "/v2/alerts/5120?identifierType=tiny")
        self.assertEqual(set(body["data"]["teams"][1]), {"id"})
        # The same team name always maps to the same id.
        st, body, _ = self.og("GET", "/v2/alerts?query=" +
                              q("teams: queue_autoremediation"))
        self.assertEqual(len(body["data"]), 1)

    def test_notes_list_and_paging(self):
        for i in range(3):
            self.act("POST", "/v2/alerts/5120/notes?identifierType=tiny",
                     {"note": "n%d" % i})
        st, body, _ = self.og("GET", "/v2/alerts/5120/notes"
                              "?identifierType=tiny&limit=2")
        self.assertEqual(st, 200)
        self.assertEqual([n["note"] for n in body["data"]], ["n2", "n1"])
        self.assertEqual(set(body["data"][0]),
                         {"note", "owner", "createdAt", "offset"})
        nxt = urllib.parse.urlparse(body["paging"]["next"])
        st, body, _ = self.og("GET", nxt.path + "?" + nxt.query)
        self.assertEqual([n["note"] for n in body["data"]], ["n0"])
        self.assertNotIn("next", body["paging"])

    def test_missing_alert_fails_in_request_status(self):
        d = self.act("POST", "/v2/alerts/nope/close", {})
        self.assertFalse(d["success"])
        self.assertEqual(d["status"], "Alert does not exist")
        self.assertEqual(d["alertId"], "")

    def test_validation(self):
        st, body, _ = self.og("POST", "/v2/alerts/5120/notes"
                              "?identifierType=tiny", {"note": ""})
        self.assertEqual(st, 422)
        self.assertIn("note", body["errors"])
        st, body, _ = self.og("POST", "/v2/alerts/5120/teams"
                              "?identifierType=tiny", {"team": {}})
        self.assertEqual(st, 422)
        st, body, _ = self.og("POST", "/v2/alerts/5120/notes"
                              "?identifierType=tiny", b"{not json")
        self.assertEqual(st, 400)
        st, body, _ = self.og("PUT", "/v2/alerts/5120/notes")
        self.assertEqual(st, 405)
        # Writes nothing makes are not simulated.
        for method, path in (("POST", "/v2/alerts"),
                             ("GET", "/v2/alerts/count"),
                             ("POST", "/v2/alerts/5120/tags"),
                             ("POST", "/v2/alerts/5120/acknowledge"),
                             ("DELETE", "/v2/alerts/5120")):
            st, body, _ = self.og(method, path, {"message": "m"})
            self.assertIn(st, (404, 405), (method, path))


class TestAuth(SimCase):

    sim_args = ["--genie-key", "k-one", "--genie-key", "k-two",
                "--dt-token", "tok-one",
                "--dt-token", "tok-read:problems.read,DataExport"]

    def test_opsgenie_keys(self):
        for key in ("k-one", "k-two"):
            st, _, _ = self.og("GET", "/v2/alerts", key=key)
            self.assertEqual(st, 200)
        for key in (None, "k-three", GENIE_KEY):
            st, body, _ = self.og("GET", "/v2/alerts", key=key)
            self.assertEqual(st, 401)
            self.assertEqual(set(body), {"message", "took", "requestId"})
        st, _, _ = http("GET", self.base + "/v2/alerts",
                        headers={"Authorization": "Bearer k-one"})
        self.assertEqual(st, 401)

    def test_dynatrace_tokens(self):
        st, _, _ = self.dt("GET", "/api/v2/problems", token="tok-one")
        self.assertEqual(st, 200)
        st, body, _ = self.dt("GET", "/api/v2/problems", token=None)
        self.assertEqual(st, 401)
        self.assertEqual(body["error"]["code"], 401)
        st, body, _ = self.dt("GET", "/api/v1/problem/feed", token="bad")
        self.assertEqual(st, 401)
        st, _, _ = http("GET", self.base +
                        "/api/v2/problems?api-token=tok-one")
        self.assertEqual(st, 200)

    def test_dynatrace_token_scopes(self):
        # A token without problems.write reads but cannot comment, as the
        # real API answers a token missing a scope.
        pid = "scoped-1"
        self.sim.add_problems([{"problemId": pid, "startTime": "now-5m"}])
        st, _, _ = self.dt("GET", "/api/v2/problems", token="tok-read")
        self.assertEqual(st, 200)
        st, _, _ = self.dt("GET", "/api/v1/problem/feed", token="tok-read")
        self.assertEqual(st, 200)
        st, body, _ = self.dt("POST", "/api/v2/problems/%s/comments" % pid,
                              {"message": "x", "context": "Alexis"},
                              token="tok-read")
        self.assertEqual(st, 403, body)
        self.assertEqual(body["error"], {
            "code": 403, "message": "Token is missing required scope. Use "
            "one of: problems.write"})
        st, _, _ = self.dt("POST", "/api/v2/problems/%s/comments" % pid,
                           {"message": "x", "context": "Alexis"},
                           token="tok-one")
        self.assertEqual(st, 201)
        st, body, _ = self.dt("GET", "/api/v1/problem/feed",
                              token="tok-read:problems.read,DataExport")
        self.assertEqual(st, 401)

    def test_keys_never_logged(self):
        self.og("GET", "/v2/alerts", key="k-one")
        self.dt("GET", "/api/v2/problems?api-token=tok-one", token=None)
        text = "\n".join(self.proc.lines())
        for secret in ("k-one", "k-two", "tok-one"):
            self.assertNotIn(secret, text)


PROBLEM_V1 = {
    "id": "-4417200931562209843_1763805540000V2", "displayName": "P-2611203",
    "impactLevel": "INFRASTRUCTURE", "status": "OPEN",
    "severityLevel": "RESOURCE_CONTENTION",
    "tagsOfAffectedEntities": [{"context": "CONTEXTLESS",
                                "key": "autoremediate"},
                               {"context": "CONTEXTLESS", "key": "env",
                                "value": "prod"}],
    "rankedEvents": [{"entityId": "HOST-3A7F21C09B55E412",
                      "entityName": "ledger-worker-03", "eventType":
                      "MEMORY_SATURATED", "isRootCause": True,
                      "severities": [{"context": "MEMORY_USAGE",
                                      "value": 0.97,
                                      "unit": "Percent (%)"}]}],
}


class TestDynatrace(SimCase):

    def test_v1_feed_details_comments(self):
        p = dict(PROBLEM_V1, startTime="now-10m")
        self.sim.add_problems([p, {"problemId": "closed-1", "status": "CLOSED",
                                   "startTime": "now-20m"},
                               {"problemId": "old-1", "startTime": "now-5h",
                                "status": "CLOSED", "endTime": now_ms() - 4 *
                                3600000}])
        st, body, _ = self.dt("GET", "/api/v1/problem/feed?status=OPEN"
                              "&relativeTime=2hours")
        self.assertEqual(st, 200)
        probs = body["result"]["problems"]
        self.assertEqual([x["id"] for x in probs], [p["id"]])
        self.assertIn("monitored", body["result"])
        self.assertNotIn("rankedEvents", probs[0])
        self.assertEqual(probs[0]["tagsOfAffectedEntities"][1],
                         {"context": "CONTEXTLESS", "key": "env",
                          "value": "prod"})
        st, body, _ = self.dt("GET", "/api/v1/problem/feed"
                              "?relativeTime=2hours")
        self.assertEqual(len(body["result"]["problems"]), 2)
        st, body, _ = self.dt("GET", "/api/v1/problem/feed?tag=env:prod"
                              "&tag=autoremediate")
        self.assertEqual(len(body["result"]["problems"]), 1)
        st, body, _ = self.dt("GET", "/api/v1/problem/feed?relativeTime=x")
        self.assertEqual(st, 400)
        self.assertIn("constraintViolations", body["error"])
        st, body, _ = self.dt("GET", "/api/v1/problem/details/" + p["id"])
        self.assertEqual(st, 200)
        self.assertEqual(body["result"]["rankedEvents"][0]["severities"][0]
                         ["value"], 0.97)
        st, body, _ = self.dt("GET", "/api/v1/problem/details/nope")
        self.assertEqual(st, 404)
        self.assertEqual(body["error"]["code"], 404)
        path = "/api/v1/problem/details/%s/comments" % p["id"]
        st, c, _ = self.dt("POST", path, {
            "comment": "rule x matched", "context": "Alexis",
            "user": "{\"Autoremediation Attempt\": 1}"})
        self.assertEqual(st, 200)
        self.assertEqual(c["userName"], "{\"Autoremediation Attempt\": 1}")
        self.assertEqual(c["context"], "Alexis")
        self.assertEqual(set(c), {"id", "createdAtTimestamp", "content",
                                  "userName", "context"})
        st, body, _ = self.dt("POST", path, {"comment": "no user"})
        self.assertEqual(st, 400)
        st, body, _ = self.dt("GET", path)
        self.assertEqual([x["content"] for x in body["comments"]],
                         ["rule x matched"])
        st, body, _ = self.dt("GET", "/api/v1/problem/feed")
        self.assertEqual(body["result"]["problems"][0]["commentCount"], 1)
        # Edits, deletes and closing are not simulated (nothing calls them).
        for method, url in (("PUT", path + "/" + c["id"]),
                            ("DELETE", path + "/" + c["id"]),
                            ("POST", "/api/v1/problem/details/%s/close"
                             "?content=done" % p["id"])):
            st, body, _ = self.dt(method, url, {"comment": "x", "user": "u"})
            self.assertIn(st, (404, 405), (method, url))

    def test_v2_list_paging_and_selector(self):
        t = now_ms()
        self.sim.add_problems([{"problemId": "p%02d" % i, "title": "T%d" % i,
                                "startTime": t - 60000 * (i + 1),
                                "endTime": -1 if i % 3 else
                                t - 60000 * (i + 1) + 30000,
                                "status": "OPEN" if i % 3 else "CLOSED",
                                "entityTags": [{"context": "CONTEXTLESS",
                                                "key": "env",
                                                "value": "prod"}]}
                               for i in range(9)])
        seen, key, pages = [], None, 0
        while True:
            path = ("/api/v2/problems?nextPageKey=" + q(key) if key else
                    "/api/v2/problems?pageSize=2&problemSelector=" +
                    q('status("open")'))
            st, body, _ = self.dt("GET", path)
            self.assertEqual(st, 200, body)
            self.assertEqual(body["totalCount"], 6)
            self.assertEqual(body["pageSize"], 2)
            self.assertEqual(body["warnings"], [])
            seen += [x["problemId"] for x in body["problems"]]
            pages += 1
            key = body.get("nextPageKey")
            if not key:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(seen, ["p01", "p02", "p04", "p05", "p07", "p08"])
        st, body, _ = self.dt("GET", "/api/v2/problems?pageSize=2")
        st, body, _ = self.dt("GET", "/api/v2/problems?pageSize=2&nextPageKey="
                              + q(body["nextPageKey"]))
        self.assertEqual(st, 400)
        for bad in ("pageSize=501", "pageSize=0", "nextPageKey=zz",
                    "problemSelector=" + q('bogus("x")'), "from=yesterday"):
            st, body, _ = self.dt("GET", "/api/v2/problems?" + bad)
            self.assertEqual(st, 400, bad)
        st, body, _ = self.dt("GET", "/api/v2/problems?problemSelector=" +
                              q('status("OPEN"),entityTags("env:prod")'))
        self.assertEqual(body["totalCount"], 6)
        self.assertEqual(body["pageSize"], 50)
        # Open problems overlap any window ending now; of the closed ones
        # only p00 (ended 30 s ago) lies in the last 3 minutes.
        st, body, _ = self.dt("GET", "/api/v2/problems?from=now-3m")
        self.assertEqual(body["totalCount"], 7)

    def test_v2_problem_and_comments(self):
        pid = self.sim.add_problems({"problemId": "-1_1V2", "displayId": "P-1",
                                     "title": "Memory saturation",
                                     "impactLevel": "SERVICE"})["problemId"]
        st, body, _ = self.dt("GET", "/api/v2/problems/" + pid)
        self.assertEqual(st, 200)
        self.assertEqual(body["impactLevel"], "SERVICES")
        self.assertEqual(body["endTime"], -1)
        self.assertNotIn("recentComments", body)
        path = "/api/v2/problems/%s/comments" % pid
        for i in range(12):
            st, body, _ = self.dt("POST", path, {"message": "c%d" % i,
                                                 "context": "Alexis"})
            self.assertEqual((st, body), (201, None))
        st, body, _ = self.dt("POST", path, {"context": "no message"})
        self.assertEqual(st, 400)
        st, body, _ = self.dt("GET", path)
        self.assertEqual((body["totalCount"], body["pageSize"]), (12, 10))
        self.assertEqual(len(body["comments"]), 10)
        c0 = body["comments"][0]
        self.assertIn("authorName", c0)
        self.assertNotIn("userName", c0)
        st, rest, _ = self.dt("GET", path + "?nextPageKey=" +
                              q(body["nextPageKey"]))
        self.assertEqual([c["content"] for c in rest["comments"]],
                         ["c10", "c11"])
        self.assertNotIn("nextPageKey", rest)
        st, body, _ = self.dt("GET", "/api/v1/problem/details/%s/comments"
                              % pid)
        self.assertIn("userName", body["comments"][0])
        st, body, _ = self.dt("GET", "/api/v2/problems/%s?fields="
                              "recentComments,evidenceDetails" % pid)
        self.assertEqual(body["recentComments"]["totalCount"], 12)
        self.assertIn("evidenceDetails", body)
        st, body, _ = self.dt("GET", "/api/v2/problems/nope")
        self.assertEqual(st, 404)


class TestFaults(SimCase):

    def test_opsgenie_429_then_recovers(self):
        self.sim.fault({"endpoint": "og.list", "kind": "429", "count": 2})
        for _ in range(2):
            st, body, h = self.og("GET", "/v2/alerts")
            self.assertEqual(st, 429)
            self.assertEqual(body["message"], "TooManyRequests")
            self.assertEqual(h.get("X-RateLimit-State"), "THROTTLED")
            self.assertEqual(h.get("X-RateLimit-Reason"), "ACCOUNT")
            self.assertEqual(h.get("X-RateLimit-Period-In-Sec"), "60")
        st, _, _ = self.og("GET", "/v2/alerts")
        self.assertEqual(st, 200)
        st, body = self.sim.admin("GET", "stats")
        self.assertEqual(body["endpoints"]["og.list"]["calls"], 3)
        self.assertEqual(body["endpoints"]["og.list"]["429"], 2)

    def test_dynatrace_429_headers(self):
        self.sim.fault({"endpoint": "dt2.*", "kind": "429",
                        "retryAfterSec": 2})
        st, body, h = self.dt("GET", "/api/v2/problems")
        self.assertEqual(st, 429)
        self.assertEqual(body["error"]["code"], 429)
        self.assertEqual(h.get("Retry-After"), "2")
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining",
                     "X-RateLimit-Reset"):
            self.assertIsNotNone(h.get(name), name)
        self.assertGreater(int(h["X-RateLimit-Reset"]), now_ms() * 1000)
        st, _, _ = self.dt("GET", "/api/v2/problems")
        self.assertEqual(st, 200)

    def test_500_each_api(self):
        self.sim.fault([{"endpoint": "og.get", "kind": "error"},
                        {"endpoint": "dt1.feed", "kind": "error",
                         "status": 503}])
        self.sim.add_alerts({"message": "m", "tinyId": "3"})
        st, body, _ = self.og("GET", "/v2/alerts/3?identifierType=tiny")
        self.assertEqual(st, 500)
        self.assertIn("requestId", body)
        st, body, _ = self.dt("GET", "/api/v1/problem/feed")
        self.assertEqual((st, body["error"]["code"]), (503, 503))
        st, _, _ = self.og("GET", "/v2/alerts/3?identifierType=tiny")
        self.assertEqual(st, 200)

    def test_latency(self):
        self.sim.fault({"endpoint": "og.list", "kind": "latency",
                        "latencyMs": 400})
        t = time.monotonic()
        st, _, _ = self.og("GET", "/v2/alerts")
        self.assertEqual(st, 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.4)
        t = time.monotonic()
        self.og("GET", "/v2/alerts")
        self.assertLess(time.monotonic() - t, 0.4)

    def test_closed_connection(self):
        self.sim.fault({"endpoint": "dt1.feed", "kind": "close"})
        with self.assertRaises((urllib.error.URLError, ConnectionError,
                                httpclient.HTTPException)):
            self.dt("GET", "/api/v1/problem/feed")
        st, _, _ = self.dt("GET", "/api/v1/problem/feed")
        self.assertEqual(st, 200)
        st, body = self.sim.admin("GET", "stats")
        self.assertEqual(body["endpoints"]["dt1.feed"]["dropped"], 1)

    def test_bad_fault_specs(self):
        for spec in ({"endpoint": "og.list"}, {"kind": "429"},
                     {"endpoint": "og.list", "kind": "explode"},
                     {"endpoint": "og.list", "kind": "latency",
                      "latencyMs": -1}):
            st, _ = self.sim.admin("POST", "faults", spec)
            self.assertEqual(st, 422, spec)


class TestRateLimit(SimCase):

    sim_args = ["--rate-limit", "og.search=1/2", "--rate-limit", "dt=1/1"]

    def test_rate_limit_bucket(self):
        codes = [self.og("GET", "/v2/alerts")[0] for _ in range(3)]
        self.assertEqual(codes, [200, 200, 429])
        st, _, _ = self.og("GET", "/v2/alerts/x")   # another domain
        self.assertEqual(st, 404)
        st, _, h = self.dt("GET", "/api/v2/problems")
        self.assertEqual((st, h.get("X-RateLimit-Limit")), (200, "60"))
        st, _, h = self.dt("GET", "/api/v2/problems")
        self.assertEqual(st, 429)
        self.assertIn(h.get("Retry-After"), ("1", "2"))


class TestSeed(SimCase):

    sim_args = ["--seed", os.path.join(SRC, "sim", "seed", "demo.json")]

    def test_demo_seed(self):
        ev = self.proc.wait_event("seed_loaded")
        self.assertEqual((ev["alerts"], ev["problems"]), ("5", "3"))
        st, body, _ = self.og("GET", "/v2/alerts?query=" +
                              q(ALEXIS_QUERY % (now_ms() - 4 * 3600000)))
        self.assertEqual(sorted(a["tinyId"] for a in body["data"]),
                         ["5120", "5121", "5122"])
        st, body, _ = self.og("GET", "/v2/alerts/5120?identifierType=tiny")
        self.assertEqual(body["data"]["details"]["host"],
                         "ledger-worker-03.prod.example.net")
        st, body, _ = self.dt("GET", "/api/v1/problem/feed?status=OPEN"
                              "&relativeTime=2hours")
        self.assertEqual(len(body["result"]["problems"]), 2)


class TestBounds(SimCase):

    sim_args = ["--max-alerts", "2", "--max-notes", "1", "--max-problems",
                "1", "--max-comments", "1", "--apply-delay-ms", "0"]

    def test_state_is_bounded(self):
        self.sim.add_alerts([{"message": "a", "tinyId": "1"},
                             {"message": "b"}])
        st, body = self.sim.admin("POST", "opsgenie/alerts", {"message": "c"})
        self.assertEqual(st, 507)
        d = self.act("POST", "/v2/alerts/1/notes?identifierType=tiny",
                     {"note": "first"})
        self.assertTrue(d["success"])
        d = self.act("POST", "/v2/alerts/1/notes?identifierType=tiny",
                     {"note": "second"})
        self.assertFalse(d["success"])
        self.assertEqual(len(self.sim.alert("1")["notes"]), 1)
        pid = self.sim.add_problems({"problemId": "only"})["problemId"]
        st, _ = self.sim.admin("POST", "dynatrace/problems", {})
        self.assertEqual(st, 507)
        path = "/api/v2/problems/%s/comments" % pid
        self.assertEqual(self.dt("POST", path, {"message": "1"})[0], 201)
        st, body, _ = self.dt("POST", path, {"message": "2"})
        self.assertEqual(st, 507)
        self.assertEqual(body["error"]["code"], 507)


class TestProcess(unittest.TestCase):

    def test_refuses_remote_host_and_bad_seed(self):
        tmp = TempDir()
        try:
            bad = tmp.write("bad.json", '{"opsgenie": [ {"message": 5} ]}')
            for args in (["--host", "0.0.0.0", "--port", "0"],
                         ["--port", "0", "--seed", bad],
                         ["--port", "0", "--seed", tmp.join("missing")]):
                p = Proc([bin_path("alexis-sim")] + args,
                         tmp.join("sim.log"))
                self.assertEqual(p.wait_exit(), 1, args)
                p.stop()
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
