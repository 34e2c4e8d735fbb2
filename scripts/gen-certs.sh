#!/bin/sh
# Make a private CA and a server certificate per daemon in DIR, for HTTPS
# between the daemons (listener.tls_cert_file / tls_key_file, and ca_file
# on the calling side). Nothing here is ever committed: run it at deploy,
# demo or test time.
#   gen-certs.sh DIR [NAME[=EXTRA_SAN,...]]...
# NAME defaults to "classifier action_handler". Each NAME.crt is valid for
# DNS:NAME, DNS:localhost, IP:127.0.0.1 and the extra SANs given, e.g.
#   gen-certs.sh /srv/alexis/certs classifier=DNS:alexis.example.com
# Writes DIR/ca.crt, DIR/ca.key (keep it away from the daemons; only
# needed to sign more) and DIR/NAME.crt, DIR/NAME.key. Existing files are
# kept; keys are 0600. Needs the openssl command (Debian: openssl).
set -eu
dir=${1:?usage: gen-certs.sh DIR [NAME[=EXTRA_SAN,...]]...}
shift
[ $# -gt 0 ] || set -- classifier action_handler
DAYS=${ALEXIS_CERT_DAYS:-825}
mkdir -p "$dir"
umask 077

if [ ! -f "$dir/ca.key" ] || [ ! -f "$dir/ca.crt" ]; then
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" -days "$DAYS" \
        -subj "/CN=Alexis internal CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    chmod 644 "$dir/ca.crt"
fi

for spec in "$@"; do
    name=${spec%%=*}
    extra=""
    [ "$name" = "$spec" ] || extra=",${spec#*=}"
    [ -f "$dir/$name.crt" ] && [ -f "$dir/$name.key" ] && continue
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" \
        -subj "/CN=$name" 2>/dev/null
    printf '%s\n' \
        "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1$extra" \
        > "$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" \
        -CAkey "$dir/ca.key" -CAcreateserial -out "$dir/$name.crt" \
        -days "$DAYS" -extfile "$dir/$name.ext" 2>/dev/null
    rm -f "$dir/$name.csr" "$dir/$name.ext"
    chmod 644 "$dir/$name.crt"
    chmod 600 "$dir/$name.key"
done
rm -f "$dir/ca.srl"
echo "gen-certs: CA and certificates in $dir"
