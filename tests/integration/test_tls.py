"""HTTPS between the daemons (issue 15, DESIGN §15): certificates made at
test time by scripts/gen-certs.sh (openssl), the action handler and the
classifier serving HTTPS through libmicrohttpd's GnuTLS, curl with and
without the CA, a host name the certificate does not name, plain HTTP to
the TLS port, and the chain poller -> classifier -> action handler over
HTTPS with ca_file. Loopback only; every process stopped by its pid."""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BIN, SRC, Proc, SimAdmin, Sink, TempDir,  # noqa: E402
                     bin_path, fixture_envelope, gen_certs, start_daemon,
                     start_sim, GENIE_KEY)
from test_http_hardening import (AH_CLIENT, CLASSIFIER_CLIENT,  # noqa: E402
                                 ah_conf, classifier_conf,
                                 raw_exchange, write_common)

def tls_listener(certs, name):
    return ", tls_cert_file: '%s/%s.crt', tls_key_file: '%s/%s.key'" % (
        certs, name, certs, name)


def curl(*args):
    """Run the curl CLI (bounded); returns (exit code, stdout, stderr)."""
    r = subprocess.run(["curl", "-sS", "-m", "10"] + list(args),
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def https(url):
    return url.replace("http://", "https://", 1)


class TlsCase(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.sink = Sink()
        self.procs = []
        self.certs = self.tmp.join("certs")
        gen_certs(self.certs, "classifier", "action_handler")
        self.ca = os.path.join(self.certs, "ca.crt")
        write_common(self.tmp, self.sink)

    def tearDown(self):
        rcs = [p.stop() for p in reversed(self.procs)]
        self.sink.close()
        logs = "\n".join("\n".join(p.lines()) for p in self.procs)
        self.tmp.cleanup()
        self.assertTrue(all(rc == 0 for rc in rcs), rcs)
        self.assertNotIn("PRIVATE KEY", logs)

    def start(self, name, conf, log):
        proc, url = start_daemon([bin_path(name), "--config", conf],
                                 self.tmp.join(log))
        self.procs.append(proc)
        self.assertEqual(proc.events("listening")[0]["tls"], "true")
        self.assertTrue(url.startswith("https://"), url)
        return proc, url

    def start_ah(self):
        return self.start("alexis-action-handler", ah_conf(
            self.tmp, tls_listener(self.certs, "action_handler")), "ah.log")


class TestServe(TlsCase):
    def test_curl_with_and_without_the_ca(self):
        ah, url = self.start_ah()
        rc, out, err = curl("--cacert", self.ca, url + "/v1/ping")
        self.assertEqual((rc, json.loads(out)), (0, {"status": "ok"}), err)
        # The system's CAs do not know ours: refused, never "insecure".
        rc, _, err = curl(url + "/v1/ping")
        self.assertEqual(rc, 60, err)
        self.assertIn("certificate", err)
        # A name the certificate does not carry.
        port = url.rsplit(":", 1)[1]
        rc, _, err = curl("--cacert", self.ca, "--resolve",
                          "other.example:%s:127.0.0.1" % port,
                          "https://other.example:%s/v1/ping" % port)
        self.assertEqual(rc, 60, err)
        self.assertIn("other.example", err)
        # An authenticated request over TLS.
        rc, out, err = curl("--cacert", self.ca, "-H", "Authorization: "
                            "Bearer " + AH_CLIENT, url + "/v1/jobs")
        self.assertEqual(rc, 0, err)
        self.assertIn("jobs", json.loads(out))

    def test_plain_http_to_the_tls_port_gets_no_reply(self):
        ah, url = self.start_ah()
        port = int(url.rsplit(":", 1)[1])
        # The TLS handshake fails on the first bytes: the connection is
        # closed without a byte back (curl: "Empty reply from server"), and
        # the daemon says what happened.
        self.assertEqual(raw_exchange(port, b"GET /v1/ping HTTP/1.1\r\n"
                                      b"Host: x\r\n\r\n"), b"")
        rc, _, err = curl("http://127.0.0.1:%d/v1/ping" % port)
        self.assertEqual(rc, 52, err)
        ev = ah.wait_event("tls_handshake_failed")
        self.assertIn("plain-HTTP", ev["hint"])
        # The daemon still serves HTTPS.
        rc, _, err = curl("--cacert", self.ca, https(
            "http://127.0.0.1:%d/v1/ping" % port))
        self.assertEqual(rc, 0, err)

    def test_https_without_files_is_a_config_error(self):
        conf = ah_conf(self.tmp, ", protocol: https")
        r = subprocess.run([bin_path("alexis-action-handler"), "--config",
                            conf, "--check"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"ah\.yaml:\d+:\d+: error: "
                         r"\"action_handler\.listener\": protocol https "
                         r"needs tls_cert_file and tls_key_file")
        # The original key with the files: HTTPS.
        conf = ah_conf(self.tmp, ", protocol: https" + tls_listener(
            self.certs, "action_handler"))
        ah, url = self.start("alexis-action-handler", conf, "ah2.log")
        rc, _, err = curl("--cacert", self.ca, url + "/v1/ping")
        self.assertEqual(rc, 0, err)

    def test_unreadable_key_fails_at_start(self):
        conf = ah_conf(self.tmp, ", tls_cert_file: '%s/action_handler.crt',"
                       " tls_key_file: '%s/nope.key'" % (self.certs,
                                                        self.certs))
        p = Proc([bin_path("alexis-action-handler"), "--config", conf],
                 self.tmp.join("bad.log"))
        self.assertEqual(p.wait_exit(timeout=10), 1)
        p.stop()
        ev = p.events("startup_failed")[0]
        self.assertIn("nope.key", ev["error"])


class TestChain(TlsCase):
    def start_classifier(self, ah_url, ca=True):
        return self.start("alexis-classifier", classifier_conf(
            self.tmp, ah_url, tls_listener(self.certs, "classifier"),
            ["ca_file: '%s'" % self.ca] if ca else []), "classifier.log")

    def post_alert(self, cl_url):
        """The sample alert POSTed to the classifier at cl_url by curl,
        which verifies its certificate with our CA; curl's result."""
        return curl("--cacert", self.ca, "-H", "Authorization: Bearer " +
                    CLASSIFIER_CLIENT, "-H", "Content-Type: application/json",
                    "--data", json.dumps(fixture_envelope(self.sink.url)),
                    cl_url + "/v1/classifier")

    def test_classifier_to_action_handler_over_tls(self):
        ah, ah_url = self.start_ah()
        cl, cl_url = self.start_classifier(ah_url)
        rc, out, err = self.post_alert(cl_url)
        self.assertEqual(rc, 0, err)
        fwd = cl.wait_event("action_forwarded", tinyId="5120", timeout=20)
        self.assertEqual(fwd["status"], "202")
        self.assertTrue(fwd["action_handler"].startswith("https://"))
        ah.wait_event("request_finished", path="/v1/action", status="202")
        # The classifier's ping of its action handler verifies it too.
        rc, out, err = curl("--cacert", self.ca, "-H", "Authorization: "
                            "Bearer " + CLASSIFIER_CLIENT,
                            cl_url + "/v1/ping")
        self.assertTrue(json.loads(out)["action_handlers"]["linux"]["up"],
                        out)

    def test_classifier_without_the_ca_refuses_the_action_handler(self):
        ah, ah_url = self.start_ah()
        cl, cl_url = self.start_classifier(ah_url, ca=False)
        rc, _, err = self.post_alert(cl_url)
        self.assertEqual(rc, 0, err)
        ev = cl.wait_event("action_forward_failed", tinyId="5120",
                           timeout=30)
        self.assertIn("certificate", ev["error"])
        self.assertEqual(ah.events("request_finished", path="/v1/action"),
                         [])

    def test_poller_to_classifier_over_tls(self):
        ah, ah_url = self.start_ah()
        cl, cl_url = self.start_classifier(ah_url)
        sim, sim_url = start_sim(
            self.tmp.join("sim.log"), "--apply-delay-ms", "0")
        self.procs.append(sim)
        SimAdmin(sim_url).add_alerts([{
            "message": "[Dynatrace] Long garbage-collection time on ledger",
            "createdAt": int(time.time() * 1000) - 60000,
            "tags": ["env.prod", "svc.ledger"],
            "details": {"host": "ledger-worker-03.prod.example.net"},
            "teams": [{"name": "payments_incoming"}]}])
        import test_poller
        conf = test_poller.write_config(
            self.tmp, sim_url, cl_url, [test_poller.OG_FEED],
            extra="  ca_file: '%s'\n" % self.ca)
        # The poller's runtime token is the one the classifier lets in.
        self.tmp.write_tokens(None, ("poller", CLASSIFIER_CLIENT),
                              runtime_name="conf/tokens/poller.token.json")
        p = Proc([bin_path("alexis-poller"), "--config", conf],
                 self.tmp.join("poller.log"))
        self.assertEqual(p.wait_exit(timeout=60), 0, "\n".join(p.lines()))
        p.stop()
        self.assertEqual(len(p.events("item_delivered")), 1)
        cl.wait_event("action_forwarded", timeout=20)
        self.assertNotIn(GENIE_KEY, "\n".join(p.lines()))


class TestDemo(unittest.TestCase):
    def test_the_demo_loop_over_https(self):
        # ALEXIS_TLS=1 ./scripts/run.sh: the whole loop (sim, sshd, the
        # three daemons) with HTTPS between the daemons.
        sys.path.insert(0, os.path.join(SRC, "demo"))
        from demo import Demo
        tmp = TempDir()
        demo = Demo(BIN, tmp.join("run"), loop_interval=1, tls=True)
        try:
            demo.setup()
            self.assertTrue(demo.cl_url.startswith("https://"))
            self.assertTrue(demo.ah_url.startswith("https://"))
            self.assertTrue(demo.wait_done(), "demo alerts not handled")
            self.assertTrue(demo.cl.events("action_forwarded"))
            self.assertTrue(demo.ah.events("request_finished",
                                           path="/v1/action", status="202"))
        finally:
            demo.stop_all()
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
