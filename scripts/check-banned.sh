#!/usr/bin/env bash
# Fails (exit 1) if C code calls an API with no bounds: strcpy, strcat, sprintf, vsprintf,
# gets, atoi/atol/atoll (no error report), strtok (hidden state). Use snprintf, memcpy with a
# checked length, the strict number parser (include/ccada/parse.h), strtok_r if ever needed.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok)[[:space:]]*\('
if hits=$(git ls-files -- '*.c' '*.h' | xargs grep -nE "$pattern" | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)'); then
        echo "banned API calls (see scripts/check-banned.sh):" >&2
        echo "$hits" >&2
        exit 1
fi
