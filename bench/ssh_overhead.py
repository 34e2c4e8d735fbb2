#!/usr/bin/env python3
"""Per-command SSH overhead: alexis-ssh-probe vs OpenSSH (issue 3; not a
timed test).

Starts the test sshd (tests/integration/sshd.py) on 127.0.0.1 and runs
`true` N times through each client against it, in the same run:

  ours:     alexis-ssh-probe --host 127.0.0.1 --port P --user U --key K
                --known-hosts F -- true
  OpenSSH:  ssh -i K -o UserKnownHostsFile=F -o StrictHostKeyChecking=yes
                -o BatchMode=yes -p P U@127.0.0.1 true

Both use the same ed25519 user key and the same known_hosts entry, and
both check the host key strictly. Runs alternate (ours, OpenSSH, ours, ...)
after a short warm-up, so a change in machine load hits both alike. Each
time is the wall time of one whole process: start, connect, handshake,
auth, exec, exit status, close. The server's share (sshd forking, the
user's shell starting, which includes its rc files) is in both.

Usage: bench/ssh_overhead.py [-n 50] [--bin build/bin] [--key ed25519]
Prints mean, median and p90 in ms for each, and the ratio of the means
(target: ours <= OpenSSH's).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from sshd import Sshd  # noqa: E402

WARMUP = 3
RUN_TIMEOUT_S = 30


def timed(args):
    t0 = time.monotonic()
    r = subprocess.run(args, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=RUN_TIMEOUT_S)
    ms = (time.monotonic() - t0) * 1000.0
    if r.returncode != 0:
        raise SystemExit("failed (rc %d): %s\n%s%s" % (
            r.returncode, " ".join(args), r.stdout.decode(errors="replace"),
            r.stderr.decode(errors="replace")))
    return ms


def summary(name, times):
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    print("%-18s n=%-4d mean %7.1f ms  median %7.1f ms  p90 %7.1f ms" % (
        name, len(times), statistics.mean(times), statistics.median(times),
        p90))
    return statistics.mean(times)


def versions(probe):
    ours = subprocess.run([probe, "--version"], capture_output=True,
                          text=True).stdout.strip()
    ssh = subprocess.run(["ssh", "-V"], capture_output=True,
                         text=True).stderr.strip()
    return ours, ssh


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=50, help="runs per client")
    ap.add_argument("--bin", default=os.environ.get(
        "ALEXIS_BIN", os.path.join(ROOT, "build", "bin")))
    ap.add_argument("--key", default="ed25519",
                    choices=("ed25519", "ecdsa"))
    a = ap.parse_args()
    probe = os.path.join(a.bin, "alexis-ssh-probe")
    if not os.access(probe, os.X_OK):
        raise SystemExit("%s not built" % probe)

    sshd = Sshd()
    try:
        sshd.start()
        kh = sshd.known_hosts("bracket")
        key = sshd.user_key(a.key)
        ours = [probe, "--host", "127.0.0.1", "--port", str(sshd.port),
                "--user", sshd.user, "--key", key, "--known-hosts", kh,
                "--", "true"]
        openssh = ["ssh", "-i", key, "-o", "UserKnownHostsFile=" + kh,
                   "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                   "-p", str(sshd.port), "%s@127.0.0.1" % sshd.user, "true"]
        for _ in range(WARMUP):
            timed(ours)
            timed(openssh)
        t_ours, t_openssh = [], []
        for _ in range(a.n):
            t_ours.append(timed(ours))
            t_openssh.append(timed(openssh))
    finally:
        sshd.cleanup()

    v_ours, v_ssh = versions(probe)
    print("%s; %s; user key %s; sshd on 127.0.0.1" % (v_ours, v_ssh, a.key))
    m_ours = summary("alexis-ssh-probe", t_ours)
    m_openssh = summary("openssh ssh", t_openssh)
    ratio = m_ours / m_openssh
    print("ratio ours/openssh (mean): %.2f  (target <= 1.00: %s)" % (
        ratio, "met" if ratio <= 1.0 else "NOT met"))


if __name__ == "__main__":
    main()
