#!/bin/sh
# Hashes the key given in KEY and leaves it where creator and verifier read it.
set -eu
: "${KEY:?KEY is required}"
printf '%s' "$KEY" | sha256sum | cut -d' ' -f1 > /key/key
echo "keycreator: key written to /key/key"
