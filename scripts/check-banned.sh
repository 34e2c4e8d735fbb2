#!/bin/sh
# Grep gate (STYLE.md, as curl does): functions that are unbounded or run a
# shell must not appear in our C. Exit 1 and list the offending lines.
set -u
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|system|popen)[[:space:]]*\('
hits=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null |
    xargs grep -nE "$pattern" /dev/null 2>/dev/null)
if [ -n "$hits" ]; then
    echo "banned functions used:"
    echo "$hits"
    exit 1
fi
echo "no banned functions"
