"""The README's migration section, checked against the original Alexis
sample configurations (tests/fixtures/samples/conf, a copy of the
project's shared samples): each daemon's --check on each sample, in the
original layout (the config, its tokens/ and rules/ in one directory, as
in the original Docker image), says exactly what the README says; and an
action handler without the rules on its own disk answers 503 (no rules
directory) or 422 (no rule of that name), then 202 once the rules are
there; the classifier's sample forwards a Dynatrace problem but refuses
to comment on it (its Dynatrace key has no base_url)."""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (SRC, Sink, TempDir, bin_path,  # noqa: E402
                     fixture_envelope, http, start_daemon)
from sshd import keygen  # noqa: E402

SAMPLES = os.path.join(SRC, "tests", "fixtures", "samples", "conf")
DAEMONS = ("classifier", "action_handler", "poller")


def binary(daemon):
    return bin_path("alexis-" + daemon.replace("_", "-"))


class SampleCase(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()

    def tearDown(self):
        self.tmp.cleanup()

    def layout(self, sample, rules=True):
        """The sample's directory as the original deployed it."""
        d = self.tmp.join(sample)
        shutil.copytree(os.path.join(SAMPLES, sample), d)
        if rules:
            shutil.copytree(os.path.join(SRC, "rules"), os.path.join(d,
                                                                     "rules"))
        return os.path.join(d, "alexis.conf.yaml")

    def edit(self, conf, *pairs):
        """Replace each (old, new) of pairs in the config file conf."""
        with open(conf) as f:
            text = f.read()
        for old, new in pairs:
            text = text.replace(old, new)
        with open(conf, "w") as f:
            f.write(text)

    def client_token(self, conf, daemon):
        """The first client token of the sample's tokens/clients.<daemon>
        .json."""
        with open(os.path.join(os.path.dirname(conf), "tokens",
                               "clients.%s.json" % daemon)) as f:
            return json.load(f)["token_list"][0]["token"]["id"]

    def check(self, daemon, conf):
        r = subprocess.run([binary(daemon), "--check", "--config", conf],
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr


# Every example rule in rules/ (OpsGenie, Dynatrace and JSM) loads.
N_RULES = len([f for f in os.listdir(os.path.join(SRC, "rules"))
               if f.endswith(".json")])


class TestCheck(SampleCase):
    def test_classifier_and_poller_samples_load_unchanged(self):
        rc, out = self.check("classifier", self.layout("classifier"))
        self.assertEqual((rc, out), (0, "configuration OK (%d rules)\n" % N_RULES))
        rc, out = self.check("poller", self.layout("poller", rules=False))
        self.assertEqual((rc, out), (0, "configuration OK (2 feeds)\n"))

    def test_action_handler_sample_needs_known_hosts_and_its_key(self):
        conf = self.layout("action_handler")
        rc, out = self.check("action_handler", conf)
        self.assertEqual(rc, 1)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertIn('"action_handler.known_hosts": required', lines[0])
        self.assertIn("ssh_key /run/secrets/autoremediation_id_ed25519: "
                      "No such file", lines[1])
        # What the README says to add: a known_hosts file, and the key
        # where the config says (here: the path made to point at one).
        d = os.path.dirname(conf)
        keygen(os.path.join(d, "id_ed25519"), "ed25519")
        with open(os.path.join(d, "known_hosts"), "w") as f:
            f.write("")
        self.edit(conf, ("/run/secrets/autoremediation_id_ed25519",
                         "id_ed25519"),
                  ("  ssh_user:", "  known_hosts: 'known_hosts'\n  ssh_user:"))
        rc, out = self.check("action_handler", conf)
        self.assertEqual((rc, out), (0, "configuration OK (%d rules)\n" % N_RULES))

    def test_action_handler_sample_without_rules_is_refused(self):
        conf = self.layout("action_handler", rules=False)
        rc, out = self.check("action_handler", conf)
        self.assertEqual(rc, 1)
        self.assertIn("rules_dir %s: No such file or directory" %
                      os.path.join(os.path.dirname(conf), "rules"), out)

    def test_each_daemon_needs_its_own_section(self):
        for sample in DAEMONS:
            conf = self.layout(sample)
            for daemon in DAEMONS:
                if daemon == sample:
                    continue
                rc, out = self.check(daemon, conf)
                self.assertEqual(rc, 1, (sample, daemon))
                self.assertIn('"%s": required' % daemon, out,
                              (sample, daemon))


class TestActionHandlerNeedsItsRules(SampleCase):
    """The original action handler ran the commands the request carried;
    this one runs the rule of that name from its own rules_dir."""

    def test_503_then_422_then_202(self):
        conf = self.layout("action_handler", rules=False)
        # Only what a test needs: loopback, any port, a dry run.
        self.edit(conf, ("development: 'false'", "development: 'true'"),
                  ("hostname: '0.0.0.0'", "hostname: '127.0.0.1'"),
                  ("port: '8084'", "port: 0"))
        tok = self.client_token(conf, "action_handler")
        env = fixture_envelope(None)
        env["rule"] = {"rule_name": "ledger_gc_restart",
                       "task_list": [{"task": {"run_command": "true"}}]}
        proc, url = start_daemon([binary("action_handler"), "--config",
                                  conf], self.tmp.join("ah.log"))
        try:
            def post():
                return http("POST", url + "/v1/action", env,
                            {"Authorization": "Bearer " + tok})
            st, body, _ = post()
            self.assertEqual(st, 503, body)
            self.assertIn("rules", json.loads(body)["error"])
            rules = os.path.join(os.path.dirname(conf), "rules")
            os.makedirs(rules)
            st, body, _ = post()
            self.assertEqual(st, 422, body)
            self.assertIn("unknown rule ledger_gc_restart",
                          json.loads(body)["error"])
            shutil.copy(os.path.join(SRC, "rules", "ledger_gc_restart.json"),
                        rules)
            st, body, _ = post()
            self.assertEqual(st, 202, body)
        finally:
            self.assertEqual(proc.stop(), 0)



class TestClassifierDynatraceWithoutBaseUrl(SampleCase):
    """The classifier's sample: its Dynatrace key has no base_url, so a
    problem is classified and forwarded, and the comment is refused."""

    def test_forwarded_and_comment_refused(self):
        conf = self.layout("classifier")
        sink = Sink()
        sink.answer("POST", "/v1/action", 202, '{"received":"x"}')
        self.edit(conf, ("'http://action_handler/v1'", "'%s/v1'" % sink.url),
                  ("hostname: '0.0.0.0'", "hostname: '127.0.0.1'"),
                  ("port: '8083'", "port: 0"))
        tok = self.client_token(conf, "classifier")
        with open(os.path.join(SRC, "tests", "fixtures", "envelopes",
                               "dynatrace-v2.json")) as f:
            env = json.load(f)
        env["alexis"]["base_url"] = sink.url
        proc, url = start_daemon([binary("classifier"), "--config", conf],
                                 self.tmp.join("cl.log"))
        try:
            st, body, _ = http("POST", url + "/v1/classifier", env,
                               {"Authorization": "Bearer " + tok})
            self.assertEqual(st, 202, body)
            fin = proc.wait_event("classification_finished")
            self.assertEqual(fin["result"], "matched", fin)
            self.assertEqual(len(sink.find("POST", "/v1/action")), 1)
            self.assertEqual(len(proc.events("ticket_mark_refused")), 1)
            self.assertEqual([r for r in sink.find("POST")
                              if r["path"] != "/v1/action"], [])
        finally:
            self.assertEqual(proc.stop(), 0)
            sink.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
