#!/usr/bin/env bash
# Fails (exit 1) when gen/ differs from what scripts/gen.sh produces from proto/ and proto-lite/.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

scripts/gen.sh "$tmp/gen"
if ! diff -r -u gen "$tmp/gen" >"$tmp/gen.diff"; then
  echo "gen/ is stale: run 'make gen' (scripts/gen.sh) and commit the result." >&2
  head -n 60 "$tmp/gen.diff" >&2
  exit 1
fi
echo "gen/ is up to date"
