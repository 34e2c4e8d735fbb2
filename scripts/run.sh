#!/bin/sh
# The README's run command. For now (until the full demo lands) it builds
# and starts alexis-classifier on 127.0.0.1:8083 with the example config in
# conf/ and the rules in rules/, generating local tokens and demo keys on
# first use. Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
./scripts/gen-tokens.sh conf/tokens
umask 077
[ -f conf/secrets/opsgenie_api_key ] ||
    echo '11111111-2222-4333-8444-555555555555' > conf/secrets/opsgenie_api_key
[ -f conf/secrets/dynatrace_api_token ] ||
    echo 'dt0c01.SAMPLEPUBLICPART0000000.SAMPLESECRETPART0000000000000000000000000000000000000000000000000' \
        > conf/secrets/dynatrace_api_token
build/bin/alexis-classifier --check --config conf/classifier/alexis.conf.yaml
cat <<MSG

alexis-classifier is starting on http://127.0.0.1:8083 (Ctrl-C stops it).
Try, from another terminal:
  curl -s http://127.0.0.1:8083/v1/ping
  curl -s -H "Authorization: Bearer \$(sed -n 's/.*"id": "\([^"]*\)".*/\1/p' conf/tokens/engineer.token.json)" \\
       -H 'Content-Type: application/json' \\
       --data @tests/fixtures/envelopes/opsgenie-gc.json \\
       'http://127.0.0.1:8083/v1/classifier?dry_run=true'

MSG
exec build/bin/alexis-classifier --config conf/classifier/alexis.conf.yaml
