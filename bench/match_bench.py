#!/usr/bin/env python3
"""Matching benchmark (issue 10; not a timed test).

Runs build/bin/alexis-match-bench over the classifier benchmark's rule sets
(4, 100 and 1000 rules, one matching; half of the others share the alert's
tags so their regex runs, half need a tag the alert lacks) and the same
OpsGenie envelope. Every way of turning rules away early is timed in the
same process, interleaved, and printed as ns per alert and as a ratio to
"literal" (the regex prefilter the classifier had before issue 10).

Usage: bench/match_bench.py [--iterations 2000]
Needs a build in build/ (scripts/build.sh).
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from classifier_bench import write_rules  # noqa: E402
from harness import TempDir  # noqa: E402

BIN = os.path.join(ROOT, "build", "bin", "alexis-match-bench")
ENVELOPE = os.path.join(ROOT, "tests", "fixtures", "envelopes",
                        "opsgenie-gc.json")

# The other rules' search_text. "far": the classifier benchmark's rules,
# whose first code unit ('S') is not in the alert's message. "near": the
# message's own words with another ending, so PCRE2's first ('L') and last
# ('r') code units are both in the message and only the regex itself
# tells (the case a longer required literal would still turn away).
SHAPES = (("far", "Service %d (latency|errors) above [0-9]+"),
          ("near", "Long garbage-collection time on w%dr"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=2000)
    args = ap.parse_args()
    tmp = TempDir(prefix="alexis-match-bench-")
    try:
        with open("/proc/loadavg") as f:
            print("load average: %s" % " ".join(f.read().split()[:3]))
        for shape, pattern in SHAPES:
            for n in (4, 100, 1000):
                d = tmp.join("rules%s%d" % (shape, n))
                write_rules(d, n, pattern)
                out = subprocess.run([BIN, d, ENVELOPE,
                                      str(args.iterations)],
                                     stdout=subprocess.PIPE,
                                     check=True).stdout
                print("%s: %s" % (shape, out.decode()), end="")
    finally:
        tmp.cleanup()


if __name__ == "__main__":
    main()
