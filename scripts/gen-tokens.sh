#!/bin/sh
# Write a fresh set of token files (original Alexis format) into DIR:
# runtime tokens for poller, classifier and action handler, and the
# allowed-clients lists of the classifier (poller, an engineer) and the
# action handler (classifier, an engineer who may read every client's
# jobs: "read_all"). Existing files are kept.
set -eu
dir=${1:?usage: gen-tokens.sh DIR}
mkdir -p "$dir"
umask 077

rand() { od -An -N20 -tx1 /dev/urandom | tr -d ' \n'; }

tok() { # file requestor description id
    [ -f "$dir/$1" ] && return 0
    printf '{"token": {"type": "personal", "requestor": "%s", "description": "%s", "id": "%s"}}\n' \
        "$2" "$3" "$4" > "$dir/$1"
}

idof() { sed -n 's/.*"id": "\([^"]*\)".*/\1/p' "$dir/$1"; }

tok poller.token.json poller "Token the poller presents to the classifier" "p-$(rand)"
tok classifier.token.json classifier "Token the classifier presents to the action handler" "c-$(rand)"
tok action_handler.token.json action_handler "Token of the action handler" "a-$(rand)"
tok engineer.token.json engineer "On-call engineer calling the APIs by hand" "u-$(rand)"

if [ ! -f "$dir/clients.classifier.json" ]; then
    printf '{"token_list": [\n  {"token": {"type": "personal", "requestor": "poller", "description": "The poller", "id": "%s"}},\n  {"token": {"type": "user", "requestor": "engineer", "description": "On-call engineer", "id": "%s"}}\n]}\n' \
        "$(idof poller.token.json)" "$(idof engineer.token.json)" > "$dir/clients.classifier.json"
fi
if [ ! -f "$dir/clients.action_handler.json" ]; then
    printf '{"token_list": [\n  {"token": {"type": "personal", "requestor": "classifier", "description": "The classifier", "id": "%s"}},\n  {"token": {"type": "user", "requestor": "engineer", "description": "On-call engineer (reads every job)", "id": "%s", "read_all": true}}\n]}\n' \
        "$(idof classifier.token.json)" "$(idof engineer.token.json)" > "$dir/clients.action_handler.json"
fi
echo "tokens in $dir (engineer token: $dir/engineer.token.json)"
