"""Integration tests of alexis-report: the real binary on the hand-made
logs of tests/fixtures/logs/ (edge cases: malformed, CRLF, unterminated,
writer-truncated and ts-less lines, hostile values), on a log produced by
running the real classifier, through gzip and stdin, in every output
format, and the --html page rendered by a real headless Chromium."""
import csv
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import TempDir, bin_path, fixture_envelope, SRC  # noqa: E402

LOGS = os.path.join(SRC, "tests", "fixtures", "logs")
FILES = [os.path.join(LOGS, n) for n in
         ("action_handler.log", "classifier.log", "edge.log")]
NOW = "2026-05-04T12:00:00Z"


def report(*args, stdin=None):
    p = subprocess.run([bin_path("alexis-report")] + list(args),
                       input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode()


def report_json(*args, stdin=None):
    rc, out, err = report(*args, "--format", "json", stdin=stdin)
    if rc != 0:
        raise AssertionError("rc %d: %s" % (rc, err))
    return json.loads(out)


def counters(doc):
    return {r["counter"]: r["value"] for r in doc["input"]}


class TestFixtures(unittest.TestCase):
    def test_summary_counts_and_skips(self):
        doc = report_json("summary", *FILES)
        c = counters(doc)
        self.assertEqual(c["files"], "3")
        self.assertEqual(c["lines"], "41")
        self.assertEqual(c["malformed_skipped"], "5")
        self.assertEqual(c["truncated_by_writer"], "1")
        self.assertEqual(c["ActionFinished"], "11")
        self.assertEqual(c["ActionFinished_without_ts"], "1")
        self.assertEqual(c["runs_ok"], "7")
        self.assertEqual(c["runs_failed"], "4")
        act = {r["action"]: r for r in doc["by_action"]}
        self.assertEqual(act["restart_gc"]["runs"], 5)
        self.assertEqual(act["restart_gc"]["success_pct"], 60.0)
        self.assertEqual(act["restart_gc"]["entities"], 3)
        self.assertEqual(act["restart_gc"]["p50_ms"], 1200)
        self.assertEqual(act["restart_gc"]["max_ms"], 30000)
        self.assertEqual(act["drop_caches"]["p95_ms"], 61000)
        ent = {r["entity"]: r for r in doc["by_entity"]}
        self.assertIn("<script>alert(1)</script>", ent)
        self.assertIn("app-\u00e9t\u00e9.prod", ent)
        self.assertEqual(ent["ledger-01.prod"]["runs"], 3)
        days = [r["day"] for r in doc["by_day"]]
        self.assertEqual(days, ["2026-05-01", "2026-05-02", "2026-05-03",
                                "2026-05-04"])

    def test_failures_with_reasons(self):
        doc = report_json("failures", *FILES)
        reasons = {(r["entity"], r["reason"]) for r in doc["failures"]}
        self.assertEqual(reasons, {
            ("ledger-02.prod",
             'command failed: "systemctl restart ledger" exit 1'),
            ("ledger-01.prod", "signal KILL"),
            ("<script>alert(1)</script>", "connect: host key changed"),
            ("web-02", "nginx: [emerg] bad config")})
        rc, _, err = report("failures", *FILES)
        self.assertIn("skipped 5 malformed and 0 cut lines of 41", err)

    def test_runs_of_action_against_entity_in_window(self):
        args = ("runs", "--action", "restart_gc", "--entity",
                "ledger-01.prod", "--now", NOW)
        self.assertEqual(report_json(*args, *FILES)["runs"][0]["runs"], 3)
        one = report_json(*args, "--since", "48h", *FILES)["runs"]
        self.assertEqual(len(one), 1)
        self.assertEqual(one[0]["runs"], 1)
        self.assertEqual(one[0]["last_alert"], "5150")
        two = report_json(*args, "--since", "2026-05-01", "--until",
                          "2026-05-03", *FILES)["runs"]
        self.assertEqual(two[0]["runs"], 2)
        rule = report_json("runs", "--rule", "web_reload", *FILES)["runs"]
        self.assertEqual(sorted(r["entity"] for r in rule),
                         ["web-01", "web-02"])

    def test_durations(self):
        rows = report_json("durations", *FILES)["durations"]
        gc = [r for r in rows if r["action"] == "restart_gc"][0]
        self.assertEqual((gc["samples"], gc["min_ms"], gc["p50_ms"],
                          gc["max_ms"], gc["exact"]),
                         (5, 900, 1200, 30000, "yes"))

    def test_trace_across_daemons_in_time_order(self):
        rows = report_json("trace", "5120", LOGS + "/action_handler.log",
                           LOGS + "/classifier.log")["trace"]
        events = [(r["app"], r["event"]) for r in rows]
        self.assertEqual(events[0], ("classifier", "classification_started"))
        self.assertIn(("action_handler", "ticket_noted"), events)
        self.assertEqual(events[-1], ("action_handler", "ticket_noted"))
        self.assertEqual(len([e for e in events if e[1] == "ActionFinished"]),
                         2)
        ts = [r["ts"] for r in rows]
        self.assertEqual(ts, sorted(ts))
        # A Dynatrace id starts with "-": it goes after "--".
        rc, out, _ = report("trace", "--", "-4821_1714", *FILES)
        self.assertEqual(rc, 0)
        self.assertEqual(out.count("ActionFinished"), 2)

    def test_text_and_csv(self):
        rc, out, _ = report(*FILES)
        self.assertEqual(rc, 0)
        self.assertIn("Runs by action\naction ", out)
        self.assertRegex(out, r"\nrestart_gc +5 +3 +2 +60\.0 +3 +1200")
        # The newline inside a value is shown as \n, never raw.
        rc, out, _ = report("failures", "--format", "csv", *FILES)
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual(rows[0][:4], ["rule", "action", "entity",
                                       "reason"])
        rc, out, _ = report("runs", "--format", "csv", *FILES)
        ents = [r[1] for r in csv.reader(io.StringIO(out))]
        self.assertIn("'=HYPERLINK(\"http://x\")", ents)
        alerts = [r[7] for r in csv.reader(io.StringIO(out))]
        self.assertIn("-4821_1714", alerts)

    def test_usage_errors(self):
        self.assertEqual(report("--since", "yesterday")[0], 2)
        self.assertEqual(report("--format", "xml")[0], 2)
        self.assertEqual(report("trace")[0], 2)
        rc, _, err = report("/nonexistent/alexis.log")
        self.assertEqual(rc, 1)
        self.assertIn("/nonexistent/alexis.log: No such file", err)


class TestInputs(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()

    def tearDown(self):
        self.tmp.cleanup()

    def test_gzip_by_magic_and_stdin(self):
        plain = report_json(*FILES)
        with open(FILES[0], "rb") as f:
            data = f.read()
        gz = self.tmp.join("rotated.log")   # not named .gz on purpose
        with gzip.open(gz, "wb") as f:
            f.write(data)
        got = report_json(gz, FILES[1], FILES[2])
        self.assertEqual(counters(got)["gzip_files"], "1")
        self.assertEqual(got["by_action"], plain["by_action"])
        self.assertEqual(got["failures"], plain["failures"])
        stdin = report_json(stdin=data)
        self.assertEqual(counters(stdin)["ActionFinished"], "8")
        self.assertEqual(report_json("-", stdin=gzip.compress(data))
                         ["by_action"], report_json(FILES[0])["by_action"])

    def test_cut_lines_are_counted(self):
        with open(FILES[0]) as f:
            good = f.read()
        big = "ts=2026-05-01T00:00:00.000Z event=ActionFinished x=" + \
            "y" * 9000 + "\n"
        path = self.tmp.write("cut.log", big + good + big.rstrip("\n"))
        c = counters(report_json(path))
        self.assertEqual(c["cut_skipped"], "2")
        self.assertEqual(c["ActionFinished"], "8")
        self.assertEqual(c["malformed_skipped"], "0")


class TestClassifierLog(unittest.TestCase):
    """A log written by the real classifier, then reported on."""

    def test_report_on_real_classifier_log(self):
        import test_classifier as tc
        case = tc.TestForwardAndMark("test_ping")
        case.setUp()
        try:
            env = fixture_envelope(case.sink.url)
            st, body, _ = case.post(env)
            self.assertEqual(st, 202, body)
            case.finished("tinyId", "5120")
            log = case.tmp.join("classifier.log")
            rc, out, err = report("trace", "5120", "--format", "json", log)
            self.assertEqual(rc, 0, err)
            events = [r["event"] for r in json.loads(out)["trace"]]
            # request_finished may come first: the 202 races the worker.
            self.assertLess(events.index("classification_started"),
                            events.index("action_forwarded"))
            self.assertLess(events.index("action_forwarded"),
                            events.index("classification_finished"))
            c = counters(report_json(log))
            self.assertEqual(c["malformed_skipped"], "0")
            self.assertEqual(c["lines"], c["parsed"])
        finally:
            case.tearDown()


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


class TestHtmlInChromium(unittest.TestCase):
    def test_page_renders_in_headless_chromium(self):
        chromium = find_chromium()
        self.assertIsNotNone(chromium, "chromium is required: run "
                             "scripts/deps.sh (Debian package chromium)")
        tmp = TempDir()
        try:
            page = tmp.join("report.html")
            rc, _, err = report("summary", "--html", page, *FILES)
            self.assertEqual(rc, 0, err)
            with open(page, encoding="utf-8") as f:
                html = f.read()
            self.assertNotIn("<script", html)
            dom = self.dump_dom(chromium, page, tmp)
            for table in ("input", "by_action", "by_rule", "by_entity",
                          "failures", "by_day"):
                self.assertIn('<table id="t-%s">' % table, dom)
            self.assertEqual(dom.count("<svg"), 3)
            self.assertIn('class="day"', dom)
            self.assertIn('class="rate"', dom)
            self.assertIn('class="dur"', dom)
            # The hostile entity is text in a cell, not an element.
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", dom)
            self.assertNotIn("<script>alert", dom)
            self.assertIn("app-\u00e9t\u00e9.prod", dom)
        finally:
            tmp.cleanup()

    def dump_dom(self, chromium, page, tmp):
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + tmp.join("profile"),
                "--dump-dom", "file://" + page]
        p = subprocess.Popen(args, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = p.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise AssertionError("chromium did not finish in 90 s")
        finally:
            # Helpers chromium left in its own session (started by us).
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertEqual(p.returncode, 0, err.decode(errors="replace"))
        dom = out.decode("utf-8")
        self.assertIn("</html>", dom, err.decode(errors="replace"))
        return dom


if __name__ == "__main__":
    unittest.main()
