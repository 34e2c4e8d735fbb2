#!/bin/sh
# The README's run command: install what is missing, build, and run the
# local demo (demo/demo.py): alexis-sim, a real sshd on loopback with fresh
# keys, the action handler, the classifier and the poller, then show what
# happened and stop everything. --keep-running leaves it all up for curl
# (Ctrl-C stops it). Also writes conf/tokens/ on first use.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
# The example configs (conf/<daemon>/) and the README's curl examples read
# their tokens from conf/tokens; existing files are kept. The demo itself
# makes its own set under run/demo-<time>/tokens.
./scripts/gen-tokens.sh conf/tokens >/dev/null
exec python3 demo/demo.py "$@"
