"""Issue 11 (action handler items): what a hostile client, a full disk and a
slow ticket API did to the action handler, each reproduced against the real
daemon, a real sshd on loopback and a loopback sink standing in for the
ticket APIs. Reuses test_action_handler's fixtures (AhCase, rule,
envelope). Every wait is bounded; every process is stopped by its pid."""
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_action_handler as tah  # noqa: E402
from test_action_handler import (ADDRS, CLIENT_TOKEN, AhCase,  # noqa: E402
                                 envelope, lines, rule)
from harness import http, wait_until  # noqa: E402
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
        self.assertEqual(lines(self.t), [])

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
        self.assertEqual(lines(self.t), [])


if __name__ == "__main__":
    unittest.main()
