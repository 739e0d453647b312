#!/usr/bin/env bash
# Release binaries, cross-compiled offline: dist/release/solder-linux-x64 and solder-linux-arm64,
# one .tar.gz per target (holding `solder`), and SHA256SUMS. Prints each build's size and, where
# the host can run it, its start-up time (`--version`, and `run` until /-/ready answers).
#
#   scripts/release.sh                 # both targets
#   scripts/release.sh linux-x64       # just one (the e2e tests need only x64)
#
# The Bun that each executable embeds is the target's own binary from its npm package
# (@oven/bun-linux-x64 / @oven/bun-linux-aarch64, the version pinned in package.json), fetched
# with `npm pack` into dist/cache/ once and passed to `bun build --compile-executable-path`, so
# bun never downloads anything itself.
#
# Environment: SOLDER_COMMIT (default: `git rev-parse --short=12 HEAD`, "-dirty" when tracked files
# changed), BYTECODE=0 to build without --bytecode (for comparing start-up), OUT (default dist/release).
set -euo pipefail
cd "$(dirname "$0")/.."

BUN=node_modules/.bin/bun
OUT=${OUT:-dist/release}
CACHE=dist/cache
BYTECODE=${BYTECODE:-1}

[ -x "$BUN" ] || { echo "release: $BUN is missing; run npm ci" >&2; exit 1; }
version=$("$BUN" -e 'console.log(require("./package.json").version)')
bun_version=$("$BUN" --version)
if [ -z "${SOLDER_COMMIT+x}" ]; then
  SOLDER_COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
  if [ -n "$SOLDER_COMMIT" ] && ! git diff --quiet HEAD -- 2>/dev/null; then SOLDER_COMMIT="$SOLDER_COMMIT-dirty"; fi
fi
case "$SOLDER_COMMIT" in *[!0-9A-Za-z._-]*) echo "release: bad SOLDER_COMMIT '$SOLDER_COMMIT'" >&2; exit 1 ;; esac
# Archives get the commit's time, so rebuilding a commit gives the same bytes.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux-x64 linux-arm64)

# The npm package and ELF e_machine of each target.
npm_arch() { case "$1" in linux-x64) echo x64 ;; linux-arm64) echo aarch64 ;; *) echo "release: unknown target $1" >&2; return 1 ;; esac; }
elf_machine() { case "$1" in linux-x64) echo 3e00 ;; linux-arm64) echo b700 ;; esac; }

# Prints the path of the target's Bun binary, fetching its npm package into the cache first.
target_bun() {
  local arch pkg dir tgz
  arch=$(npm_arch "$1")
  pkg="@oven/bun-linux-$arch@$bun_version"
  dir="$CACHE/bun-linux-$arch-$bun_version"
  if [ ! -x "$dir/package/bin/bun" ]; then
    mkdir -p "$CACHE"
    echo "release: fetching $pkg (npm pack)" >&2
    tgz=$(cd "$CACHE" && npm pack "$pkg" --silent | tail -n 1)
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$CACHE/$tgz" -C "$dir"
    rm -f "$CACHE/$tgz"
  fi
  echo "$dir/package/bin/bun"
}

# Whether this host can execute the target's binaries (natively or through qemu-user).
runner() {
  local host
  host=$(uname -m)
  case "$1:$host" in
    linux-x64:x86_64 | linux-arm64:aarch64 | linux-arm64:arm64) echo "" ;;
    linux-arm64:*) qemu qemu-aarch64 aarch64-linux-gnu ld-linux-aarch64.so.1 ;;
    linux-x64:*) qemu qemu-x86_64 x86_64-linux-gnu ld-linux-x86-64.so.2 ;;
  esac
}

# qemu-user with the target's C library (Debian: qemu-user and libc6-<arch>-cross), else "none".
qemu() {
  command -v "$1" >/dev/null || { echo none; return; }
  if [ -e "/lib/$3" ] || [ -e "/lib64/$3" ]; then echo "$1"
  elif [ -e "/usr/$2/lib/$3" ]; then echo "env QEMU_LD_PREFIX=/usr/$2 $1"
  else echo none; fi
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Start-up of one binary: the median of 5 `--version` runs, and one `run` on a minimal config
# until /-/ready answers 200. Prints "version=<ms> ready=<ms>".
startup() {
  local bin=$1 via=$2 tmp t0 times=() i pid port ready=fail
  for i in 1 2 3 4 5; do
    t0=$(now_ms); $via "$bin" --version >/dev/null; times+=($(( $(now_ms) - t0 )))
  done
  if ! command -v curl >/dev/null; then
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | xargs -I{} echo "version={}ms ready=n/a (no curl)"
    return
  fi
  tmp=$(mktemp -d)
  printf 'logging {\n\tlevel = "info"\n}\n' >"$tmp/config.alloy"
  t0=$(now_ms)
  $via "$bin" run --server.http.listen-addr=127.0.0.1:0 "--storage.path=$tmp/data" "$tmp/config.alloy" 2>"$tmp/log" >/dev/null &
  pid=$!
  for i in $(seq 1 1500); do
    port=$(sed -nE 's/.*msg="starting server" addr=127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/log" | head -n 1)
    if [ -n "$port" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/-/ready" 2>/dev/null)" = 200 ]; then
      ready=$(( $(now_ms) - t0 )); break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | xargs -I{} echo "version={}ms ready=${ready}ms"
}

mkdir -p "$OUT"
flags=(--compile --minify)
[ "$BYTECODE" = 1 ] && flags+=(--bytecode --format=esm)
report=()
for target in "${targets[@]}"; do
  exe=$(target_bun "$target")
  bin="$OUT/solder-$target"
  echo "release: building $bin (v$version, commit ${SOLDER_COMMIT:-none}, ${flags[*]})" >&2
  "$BUN" build "${flags[@]}" --target="bun-$target" --compile-executable-path="$exe" \
    --define "SOLDER_COMMIT=\"$SOLDER_COMMIT\"" src/main.ts --outfile "$bin" >/dev/null
  # The executable must be for the target's CPU (bytes 18-19 of the ELF header).
  machine=$(od -An -tx1 -j18 -N2 "$bin" | tr -d ' \n')
  [ "$machine" = "$(elf_machine "$target")" ] || { echo "release: $bin has ELF machine $machine, want $(elf_machine "$target")" >&2; exit 1; }

  # The archive: one file, `solder`, so `tar -xzf … && ./solder run` works.
  stage=$(mktemp -d)
  cp "$bin" "$stage/solder"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$stage" -cf - solder | gzip -n >"$OUT/solder-$target.tar.gz"
  rm -rf "$stage"

  size=$(stat -c %s "$bin")
  line=$(awk -v n="solder-$target" -v b="$size" -v a="$(stat -c %s "$OUT/solder-$target.tar.gz")" 'BEGIN { printf "%-20s %6.1f MiB (archive %5.1f MiB)", n, b / 1048576, a / 1048576 }')
  via=$(runner "$target")
  if [ "$via" = none ]; then
    line="$line  start-up: not measured (cannot run $target on $(uname -m))"
  else
    # shellcheck disable=SC2086 # $via is a command prefix: "" or "env QEMU_LD_PREFIX=… qemu-aarch64"
    out=$($via "$bin" --version)
    case "$out" in "solder, version v$version ("*) ;; *) echo "release: $bin --version printed: $out" >&2; exit 1 ;; esac
    line="$line  start-up: $(startup "$bin" "$via")${via:+ (under ${via##* })}"
  fi
  report+=("$line")
done

(cd "$OUT" && sha256sum $(ls solder-linux-* | sort) >SHA256SUMS)
echo "release: $OUT (v$version, commit ${SOLDER_COMMIT:-none}, bun $bun_version)"
printf '  %s\n' "${report[@]}"
