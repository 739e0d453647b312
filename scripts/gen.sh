#!/usr/bin/env bash
# Regenerates gen/ from the Buf modules proto/ (OTLP v1.11.0 + google.rpc) and proto-lite/
# (the lite OTLP view, written to gen/lite/). gen/ is replaced as a whole: never edit it by hand.
# Usage: scripts/gen.sh [OUT_DIR]      default gen; scripts/check-gen.sh passes a temp dir.
# Needs only local tools (buf and protoc-gen-es from node_modules/.bin); nothing is fetched.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-gen}"
buf=node_modules/.bin/buf
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One call per module: both declare e.g. opentelemetry.proto.collector.trace.v1.TraceService,
# so they must never be compiled into one image (a plain `buf generate` would fail).
"$buf" generate proto --template buf.gen.yaml -o "$tmp"
"$buf" generate proto-lite --template buf.gen.yaml -o "$tmp"

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -R "$tmp/gen" "$out"
