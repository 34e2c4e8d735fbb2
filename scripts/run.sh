#!/bin/sh
# The README's run command: install what is missing, build, and run the
# local demo (demo/demo.py): alexis-sim, a real sshd on loopback with fresh
# keys, the action handler, the classifier and the poller, then show what
# happened and stop everything. --keep-running leaves it all up for curl
# (Ctrl-C stops it).
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
exec python3 demo/demo.py "$@"
