"""Deployment artefacts: docker-stack.yml is accepted by `docker stack
config`; every Swarm config in conf/swarm passes its daemon's --check (with
/run/secrets pointed at generated secrets); the Dockerfile's runtime stage
installs the package of every library our binaries link directly, and its
build stage runs the README's build script. No Docker engine is needed."""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (SRC, TempDir, bin_path, gen_certs,  # noqa: E402
                     gen_tokens, run_check)
from sshd import keygen  # noqa: E402

DAEMONS = {"classifier.yaml": "alexis-classifier",
           "action_handler.yaml": "alexis-action-handler",
           "poller.yaml": "alexis-poller"}


class TestStack(unittest.TestCase):
    def stack_config(self, *files):
        """docker stack config of the stack files (the last named in the
        skip message); its output, once it has succeeded."""
        if shutil.which("docker") is None:
            self.skipTest("no docker client on this machine: "
                          "%s not validated" % files[-1])
        args = ["docker", "stack", "config"]
        for f in files:
            args += ["-c", f]
        p = subprocess.run(args, cwd=SRC, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        return out

    def test_docker_stack_config_accepts_the_stack(self):
        out = self.stack_config("docker-stack.yml")
        for svc in ("poller:", "classifier:", "action_handler:"):
            self.assertIn(svc, out)
        self.assertIn("published: 8083", out)
        self.assertIn("published: 8084", out)
        # The poller's healthcheck is the image's GET /v1/ping, on the
        # listener conf/swarm/poller.yaml turns on.
        self.assertIn('ALEXIS_PORT: "8085"', out)
        with open(os.path.join(SRC, "conf", "swarm", "poller.yaml")) as f:
            self.assertIn("port: 8085", f.read())

    def test_docker_stack_config_accepts_the_tls_overlay(self):
        out = self.stack_config("docker-stack.yml", "docker-stack.tls.yml")
        for name in ("conf/swarm/tls/poller.yaml",
                     "conf/swarm/tls/classifier.yaml",
                     "conf/swarm/tls/action_handler.yaml",
                     "target: classifier.key", "target: action_handler.key",
                     "ALEXIS_SCHEME: https"):
            self.assertIn(name, out)

    def test_docker_stack_config_accepts_the_ha_stack(self):
        """docker-stack.ha.yml (issue 14): a postgres service with its
        password as a Swarm secret and a volume, two replicas of each
        daemon, their configs from conf/swarm/ha where they differ."""
        out = self.stack_config("docker-stack.ha.yml")
        services = out.split("\nservices:\n", 1)[1]
        blocks = dict(re.findall(r"(?m)^  (\w+):\n((?:    .*\n|\n)*)",
                                 services))
        for svc in ("poller", "classifier", "action_handler"):
            self.assertRegex(blocks[svc], r"replicas: [2-9]", svc)
            self.assertNotIn("action_handler_jobs", blocks[svc])
        pg = blocks["postgres"]
        self.assertIn("POSTGRES_PASSWORD_FILE: /run/secrets/"
                      "postgres_password", pg)
        self.assertIn("source: postgres_password", pg)
        self.assertIn("source: postgres_data", pg)
        self.assertIn("target: /var/lib/postgresql/data", pg)
        for svc in ("poller", "action_handler"):
            self.assertIn("source: postgres_password", blocks[svc], svc)
        self.assertIn("conf/swarm/ha/action_handler.yaml", out)
        self.assertIn("conf/swarm/ha/poller.yaml", out)


class TestSwarmConfigs(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        sec = self.tmp.join("secrets")
        os.makedirs(sec)
        gen_tokens(sec)
        for name in ("opsgenie_api_key", "dynatrace_api_token"):
            self.tmp.write("secrets/" + name, "not-a-real-key\n", mode=0o600)
        keygen(os.path.join(sec, "alexis_ssh_key"), "ed25519")
        self.tmp.write("secrets/known_hosts",
                       "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH"
                       "k6z0lIbbVj0gE9nEoUOZcpyrN2r4pZCdk9m0l1o4b2Xh\n")
        shutil.copytree(os.path.join(SRC, "rules"), self.tmp.join("rules"))

    def tearDown(self):
        self.tmp.cleanup()

    def test_every_swarm_config_passes_check(self):
        self.tmp.write("secrets/postgres_password", "pw\n", mode=0o600)
        confs = [(c, d, c) for c, d in sorted(DAEMONS.items())]
        confs += [("ha/" + c, d, "ha_" + c) for c, d in sorted(
            DAEMONS.items()) if os.path.exists(os.path.join(
                SRC, "conf", "swarm", "ha", c))]
        for conf, daemon, name in confs:
            with open(os.path.join(SRC, "conf", "swarm", conf)) as f:
                text = f.read()
            text = text.replace("/run/secrets", self.tmp.join("secrets"))
            text = text.replace("/var/lib/alexis", self.tmp.path)
            path = self.tmp.write(name, text)
            rc, out = run_check(daemon, path)
            self.assertEqual(rc, 0, "%s: %s" % (conf, out))
            self.assertIn("configuration OK", out, conf)

    def test_every_tls_swarm_config_passes_check(self):
        sec = self.tmp.join("secrets")
        gen_certs(sec)
        shutil.copy(os.path.join(sec, "ca.crt"),
                    os.path.join(sec, "alexis_ca.crt"))
        for conf, daemon in sorted(DAEMONS.items()):
            with open(os.path.join(SRC, "conf", "swarm", "tls", conf)) as f:
                text = f.read()
            text = text.replace("/run/secrets", sec)
            text = text.replace("/var/lib/alexis", self.tmp.path)
            path = self.tmp.write(conf, text)
            rc, out = run_check(daemon, path)
            self.assertEqual(rc, 0, "%s: %s" % (conf, out))

    def test_tls_swarm_configs_differ_only_in_tls_lines(self):
        # Two copies of each config: keep them the same but for TLS.
        # Lines marked TLS are new, or (a URL) differ in the scheme only.
        def norm(path):
            with open(path) as f:
                lines = [ln.split("#", 1)[0].rstrip() for ln in f
                         if "# TLS" not in ln or "://" in ln]
            return [ln.replace("https://", "http://") for ln in lines if ln]
        for conf in DAEMONS:
            self.assertEqual(norm(os.path.join(SRC, "conf", "swarm", conf)),
                             norm(os.path.join(SRC, "conf", "swarm", "tls",
                                               conf)), conf)


class TestExampleConfigs(unittest.TestCase):
    """conf/<daemon>/alexis.conf.yaml, the examples an operator copies,
    pass --check once tokens, secrets and keys exist (as run.sh makes)."""

    def test_examples_pass_check(self):
        tmp = TempDir()
        try:
            for d in ("classifier", "action_handler", "poller"):
                shutil.copytree(os.path.join(SRC, "conf", d),
                                tmp.join("conf", d))
            shutil.copytree(os.path.join(SRC, "rules"), tmp.join("rules"))
            gen_tokens(tmp.join("conf", "tokens"))
            for name in ("opsgenie_api_key", "dynatrace_api_token"):
                tmp.write("conf/secrets/" + name, "k\n", mode=0o600)
            os.makedirs(tmp.join("keys"))
            keygen(tmp.join("keys", "alexis_ssh_key"), "ed25519")
            tmp.write("keys/known_hosts", "")
            for d in ("classifier", "action_handler", "poller"):
                rc, out = run_check("alexis-" + d.replace("_", "-"),
                                    tmp.join("conf", d, "alexis.conf.yaml"))
                self.assertEqual(rc, 0, "%s: %s" % (d, out))
                self.assertIn("configuration OK", out)
        finally:
            tmp.cleanup()



class TestReadmeTokens(unittest.TestCase):
    """The README's curl examples read conf/tokens/<file>; run.sh (the
    README's demo command) writes conf/tokens with gen-tokens.sh, and
    gen-tokens.sh writes every file those examples name."""

    def test_run_sh_writes_the_token_files_the_readme_uses(self):
        with open(os.path.join(SRC, "scripts", "run.sh")) as f:
            run = [l.strip() for l in f if not l.lstrip().startswith("#")]
        self.assertTrue(any(l.startswith("./scripts/gen-tokens.sh "
                                         "conf/tokens") for l in run), run)
        with open(os.path.join(SRC, "README.md")) as f:
            readme = f.read()
        with open(os.path.join(SRC, "conf", "tokens", "README.md")) as f:
            self.assertIn("scripts/run.sh", f.read())
        used = set(re.findall(r"conf/tokens/([\w.]+\.json)", readme))
        self.assertIn("engineer.token.json", used)
        tmp = TempDir()
        try:
            out = tmp.join("conf", "tokens")
            gen_tokens(out)
            for name in sorted(used):
                self.assertTrue(os.path.isfile(os.path.join(out, name)),
                                name)
            with open(os.path.join(out, "engineer.token.json")) as f:
                self.assertTrue(json.load(f)["token"]["id"])
            # The example configs read them from there.
            for d in ("classifier", "action_handler", "poller"):
                with open(os.path.join(SRC, "conf", d,
                                       "alexis.conf.yaml")) as f:
                    self.assertIn("directory: '../tokens'", f.read(), d)
        finally:
            tmp.cleanup()


class TestCitedFiles(unittest.TestCase):
    """Every repository path a deployment file's comments cite exists."""

    def test_paths_in_comments_exist(self):
        for name in ("Dockerfile", "docker-stack.yml", "scripts/run.sh",
                     "scripts/test.sh", "scripts/deps.sh"):
            with open(os.path.join(SRC, name)) as f:
                comments = "\n".join(l for l in f
                                     if l.lstrip().startswith("#"))
            for path in re.findall(r"\b((?:tests|scripts|conf|docs|demo)"
                                   r"/[\w./-]*\w)", comments):
                self.assertTrue(os.path.exists(os.path.join(SRC, path)),
                                "%s cites %s, which does not exist" %
                                (name, path))


class TestDockerfile(unittest.TestCase):
    BASE = {"libc6", "libgcc-s1"}   # in debian:bookworm-slim already

    def runtime_packages(self):
        with open(os.path.join(SRC, "Dockerfile")) as f:
            text = f.read()
        final = text.split("FROM debian:bookworm-slim", 1)[1]
        m = re.search(r"apt-get install[^\n]*\\\n(.*?)&&", final, re.S)
        self.assertIsNotNone(m, "no apt-get install in the runtime stage")
        return set(re.findall(r"[a-z0-9][a-z0-9.+-]+",
                              m.group(1).replace("\\", " ")))

    def test_build_stage_runs_the_readme_build_script(self):
        with open(os.path.join(SRC, "Dockerfile")) as f:
            build = f.read().split("FROM debian:bookworm-slim", 1)[0]
        self.assertIn("./scripts/build.sh", build)

    def test_entrypoint_sets_a_private_umask(self):
        """Issue 11 item 12: the image's processes create files 0600; the
        entrypoint wraps every command (the stack's `command:` included)."""
        with open(os.path.join(SRC, "Dockerfile")) as f:
            final = f.read().split("FROM debian:bookworm-slim", 1)[1]
        m = re.search(r"^ENTRYPOINT (\[.*\])$", final, re.M)
        self.assertIsNotNone(m, "no ENTRYPOINT in the runtime stage")
        argv = json.loads(m.group(1))
        self.assertEqual(argv[:2], ["/bin/sh", "-c"])
        self.assertIn("umask 077", argv[2])
        # The wrapper runs its arguments: check it the way Docker would.
        p = subprocess.run(argv + ["sh", "-c", "umask"],
                           stdout=subprocess.PIPE, timeout=10, check=True)
        self.assertEqual(p.stdout.decode().strip(), "0077")

    def test_runtime_stage_has_every_linked_library(self):
        pkgs = self.runtime_packages() | self.BASE
        for daemon in sorted(set(DAEMONS.values())) + ["alexis-sim"]:
            path = bin_path(daemon)
            needed = re.findall(r"\(NEEDED\).*\[(.+)\]", subprocess.run(
                ["readelf", "-d", path], stdout=subprocess.PIPE,
                check=True).stdout.decode())
            ldd = subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                                 check=True).stdout.decode()
            for soname in needed:
                if soname.startswith(("libasan", "libubsan")):
                    continue    # sanitizer builds only
                m = re.search(re.escape(soname) + r" => (\S+)", ldd)
                self.assertIsNotNone(m, "%s: %s not found" % (daemon, soname))
                real = os.path.realpath(m.group(1))
                owner = None
                for cand in (m.group(1), real,
                             real.replace("/usr/lib", "/lib", 1)):
                    q = subprocess.run(["dpkg", "-S", cand],
                                       stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL)
                    if q.returncode == 0:
                        owner = q.stdout.decode().split(":")[0]
                        break
                self.assertIsNotNone(owner, "%s: no package owns %s" %
                                     (daemon, soname))
                self.assertIn(owner, pkgs, "%s links %s from %s, which the "
                              "Dockerfile's runtime stage does not install" %
                              (daemon, soname, owner))


class TestSystemdUnits(unittest.TestCase):
    """conf/systemd: one unit per daemon, checked by systemd-analyze against
    the binaries of this build, with the sandbox STYLE.md asks for."""
    UNITS = os.path.join(SRC, "conf", "systemd")
    SANDBOX = ("NoNewPrivileges=yes", "ProtectSystem=strict",
               "PrivateTmp=yes", "CapabilityBoundingSet=\n", "User=alexis")

    def test_units_verify_and_are_sandboxed(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze not installed")
        tmp = TempDir()
        try:
            names = sorted(os.listdir(self.UNITS))
            self.assertEqual(names, ["alexis-action-handler.service",
                                     "alexis-classifier.service",
                                     "alexis-poller.service"])
            for name in names:
                with open(os.path.join(self.UNITS, name)) as f:
                    text = f.read()
                for line in self.SANDBOX:
                    self.assertIn(line, text, name)
                self.assertNotIn("MemoryDenyWriteExecute=yes", text)
                # The unit's ExecStart names this build's binary.
                daemon = name[:-len(".service")]
                self.assertIn("ExecStart=/usr/local/bin/%s --config" % daemon,
                              text)
                local = tmp.write(name, text.replace(
                    "/usr/local/bin/", os.path.dirname(bin_path(daemon)) +
                    "/"))
                r = subprocess.run([analyze, "verify", local],
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=60,
                                   cwd=tmp.path)
                out = (r.stdout + r.stderr).decode()
                self.assertEqual(r.returncode, 0, out)
                # Unknown keys are only warnings: none allowed either.
                self.assertEqual(out.strip(), "", out)
        finally:
            tmp.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
