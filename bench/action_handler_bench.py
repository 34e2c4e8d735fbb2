#!/usr/bin/env python3
"""Wall time of one action-handler job over 50 entities running `sleep 1`.

Real OpenSSH sshds listen on 50 loopback addresses (127.0.1.1-50; one
sshd per 13 addresses, as sshd binds at most 16) with a known_hosts entry
for each; the action handler runs one rule whose
explicit entities are those 50 addresses, with parallel: 64. The time is
taken from POST /v1/action to the job_finished log line: the line's own
millisecond timestamp minus the clock just before the POST (the job's own
app_elapsed_ms is printed too). Target: <= 1.5 s (the original ran hosts
one after another: >= 50 s).

    python3 bench/action_handler_bench.py [--bin build/bin] [--entities 50]
        [--login-user NAME]

--login-user (root only) logs in as a throwaway system user whose shell is
/bin/sh, created for the run and removed after it. Without it the sessions
run as the current user, and on a machine whose ~/.bashrc does real work
(this one runs `pyenv init`, ~100 ms of CPU per session) that work is
measured 50 times over on 2 cores.
"""
import argparse
import json
import os
import pwd
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import (Sink, TempDir, auth_yaml, http,  # noqa: E402
                     action_handler_yaml, log_time, start_daemon)
from sshd import Sshd  # noqa: E402

TOKEN = "bench-token-5566"
PER_SSHD = 13


def login_user(name):
    """Ensure a /bin/sh system user exists; True when we created it."""
    try:
        pwd.getpwnam(name)
        return False
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell", "/bin/sh",
                        name], check=True)
        # useradd leaves the account locked ("!"), which sshd refuses
        # without PAM; "*" allows key logins but no password.
        subprocess.run(["usermod", "-p", "*", name], check=True)
        return True


def proc_cpu_ms(pid):
    """User + system CPU of one process so far, in ms (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf(
        "SC_CLK_TCK")


def machine_cpu_ms():
    """Busy CPU of the whole machine so far (all cores), in ms."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = sum(v) - v[3] - (v[4] if len(v) > 4 else 0)   # minus idle, iowait
    return busy * 1000.0 / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--entities", type=int, default=50)
    ap.add_argument("--command", default="sleep 1")
    ap.add_argument("--login-user", default=None)
    a = ap.parse_args()
    created = a.login_user is not None and login_user(a.login_user)
    addrs = ["127.0.1.%d" % i for i in range(1, a.entities + 1)]
    groups = [addrs[i:i + PER_SSHD] for i in range(0, len(addrs), PER_SSHD)]
    sshds = [Sshd(addresses=g) for g in groups]
    tmp, sink, proc = TempDir(), Sink(), None
    try:
        kh_lines, ents = [], []
        for s in sshds:
            s.start()
            for h in s.addresses:
                kh_lines.append(s.known_hosts_line(host=h))
                ents.append("%s:%d" % (h, s.port))
        kh = tmp.write("known_hosts", "\n".join(kh_lines) + "\n")
        if a.login_user is not None:
            # sshd reads AuthorizedKeysFile as the login user: let it in
            # (the host keys keep their own 0600 mode).
            for sd in sshds:
                os.chmod(sd.path(""), 0o755)
                os.chmod(sd.path("authorized_keys"), 0o644)
        sshd = sshds[0]
        # Every sshd authorizes the first one's user key.
        for s in sshds[1:]:
            with open(sshd.path("authorized_keys")) as f:
                keys = f.read()
            with open(s.path("authorized_keys"), "w") as f:
                f.write(keys)
        tmp.write_tokens([("bench", TOKEN, "p", "b")],
                         ("ah", "runtime", "p", "b"),
                         clients_name="tokens/c.json",
                         runtime_name="tokens/r.json")
        tmp.write("secrets/og", "k\n", mode=0o600)
        rule = {"enabled": "true", "os_type": "linux", "rule_name": "bench",
                "alert_feed": "opsgenie",
                "evaluation_list": [{"evaluation": {"tags": ["x"]}}],
                "task_list": [{"task": {"task_type": "remote_ssh",
                                        "run_command": a.command,
                                        "action": "bench",
                                        "action_reason": "bench"}}],
                "entity_type": "explicit",
                "entities": ents}
        tmp.write("rules/bench.json", json.dumps(rule))
        conf = tmp.write("c.yaml", "\n" + auth_yaml(sink.url, og={
            "api_key_file": "secrets/og"}) + action_handler_yaml(
                "ssh_key: '%s'" % sshd.user_key("ed25519"),
                "ssh_user: '%s'" % (a.login_user or sshd.user),
                "known_hosts: '%s'" % kh, "parallel: 64", rules_dir=None,
                db_path=None, tokens=("c.json", "r.json")))
        ah = os.path.join(a.bin, "alexis-action-handler")
        proc, url = start_daemon([ah, "--config", conf], tmp.join("ah.log"))
        env = {"alexis": {"feed_type": "opsgenie", "unique_value": "1",
                          "base_url": sink.url}, "tinyId": "1", "id": "a1",
               "rule": {"rule_name": "bench"}}
        cpu0, mcpu0 = proc_cpu_ms(proc.pid), machine_cpu_ms()
        t0 = time.time()
        st, body, _ = http("POST", url + "/v1/action", env,
                           {"Authorization": "Bearer " + TOKEN})
        assert st == 202, body
        job = json.loads(body)["job"]
        ev = proc.wait_event("job_finished", timeout=120, job=job)
        # The end is the job_finished line's own timestamp (ms), not when
        # the log poll (every 20 ms) saw it.
        end = log_time(ev["ts"])
        wall = end - t0
        cpu = proc_cpu_ms(proc.pid) - cpu0
        mcpu = machine_cpu_ms() - mcpu0
        if ev["state"] != "succeeded":
            bad = [e for e in proc.events("ActionResult", job=job)
                   if e.get("action_status") != "succeeded"]
            if bad:
                print("first failure: %s %s" % (bad[0].get("outcome"),
                                                bad[0].get("error")))
        durs = sorted(int(e["app_elapsed_ms"]) for e in
                      proc.events("ActionFinished", job=job))
        # Where the CPU went during the job (informational): the action
        # handler's own, and the whole machine's (sshd, shells, us, and
        # whatever else runs), both over all cores.
        print("entities=%d command=%r state=%s wall_s=%.3f job_ms=%s "
              "per_entity_ms min=%d median=%d max=%d ah_cpu_ms=%.0f "
              "machine_cpu_ms=%.0f cores=%d target_s=1.5 %s" % (
                  a.entities, a.command, ev["state"], wall,
                  ev["app_elapsed_ms"], durs[0], durs[len(durs) // 2],
                  durs[-1], cpu, mcpu, os.cpu_count(),
                  "OK" if wall <= 1.5 and ev["state"] == "succeeded"
                  else "OVER" if ev["state"] == "succeeded" else "FAILED"))
    finally:
        if proc is not None:
            proc.stop()
        sink.close()
        for s in sshds:
            s.cleanup()
        tmp.cleanup()
        if created:
            subprocess.run(["userdel", a.login_user], check=False)


if __name__ == "__main__":
    main()
