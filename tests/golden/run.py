#!/usr/bin/env python3
"""Golden --check tests (OpenBSD regress/patterns style).

Each directory under tests/golden/<daemon>/<case>/ holds alexis.conf.yaml
(plus whatever it references) and `expected`: the exact combined output of
`alexis-<daemon> --check --config alexis.conf.yaml` run in that directory,
followed by a last line `exit=N`. The case directory's absolute path is
written as $CASE in `expected`. With --update, the expected files are
rewritten (review the diff before committing).
"""
import argparse
import os
import subprocess
import sys


def run_case(binary, case):
    p = subprocess.run([binary, "--check", "--config", "alexis.conf.yaml"],
                       cwd=case, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode("utf-8", "replace")
    real = os.path.realpath(case)
    out = out.replace(real, "$CASE")
    return out + "exit=%d\n" % p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    failed = 0
    total = 0
    for daemon in sorted(os.listdir(args.golden)):
        ddir = os.path.join(args.golden, daemon)
        binary = os.path.join(args.bin, "alexis-" + daemon.replace("_", "-"))
        if not os.path.isdir(ddir):
            continue
        if not os.path.exists(binary):
            print("FAIL %s: %s not built" % (daemon, binary))
            failed += 1
            continue
        for case in sorted(os.listdir(ddir)):
            cdir = os.path.join(ddir, case)
            if not os.path.isdir(cdir):
                continue
            total += 1
            got = run_case(binary, cdir)
            exp_path = os.path.join(cdir, "expected")
            if args.update:
                with open(exp_path, "w") as f:
                    f.write(got)
                print("updated %s/%s" % (daemon, case))
                continue
            try:
                with open(exp_path) as f:
                    exp = f.read()
            except FileNotFoundError:
                exp = "(missing expected file)\n"
            if got != exp:
                failed += 1
                print("FAIL %s/%s\n--- expected\n%s--- got\n%s" %
                      (daemon, case, exp, got))
            else:
                print("ok   %s/%s" % (daemon, case))
    print("%d/%d golden cases passed" % (total - failed, total))
    return 1 if failed or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
