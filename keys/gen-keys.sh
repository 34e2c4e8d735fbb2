#!/bin/sh
# Generate the action handler's SSH key pair (ed25519) into DIR (default:
# this directory) and print the public key line to install in
# ~autoremediation/.ssh/authorized_keys on every host Alexis may touch.
# The private key never goes into git (see .gitignore); on Swarm it becomes
# the ssh_private_key secret.
set -eu
dir=${1:-$(dirname "$0")}
key="$dir/alexis_ssh_key"
if [ -e "$key" ]; then
    echo "gen-keys: $key exists; not overwriting" >&2
else
    umask 077
    ssh-keygen -q -t ed25519 -N '' -C "alexis-autoremediation" -f "$key"
fi
echo "private key: $key"
echo "install this line in ~autoremediation/.ssh/authorized_keys on each host:"
cat "$key.pub"
echo
echo "then collect the hosts' keys for known_hosts (verify them out of band):"
echo "  ssh-keyscan -t ed25519 host1 host2 > $dir/known_hosts"
