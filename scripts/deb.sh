#!/usr/bin/env bash
# Debian packages with dpkg-deb: the binary, the systemd unit, /etc/default/solder, the default
# config, and the maintainer scripts from packaging/deb/ (which create the solder user and
# directories). Output: <out>/solder_<version>_<arch>.deb.
#
#   scripts/deb.sh                                  # amd64 and arm64 from dist/release/ → dist/release/ (+ SHA256SUMS)
#   scripts/deb.sh BINARY DEB_ARCH [OUT_DIR]        # one package from any executable (tests use a stub)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -nE 's/^  "version": "([^"]+)".*/\1/p' package.json | head -n 1)
[ -n "$version" ] || { echo "deb: no version in package.json" >&2; exit 1; }

build() {
  local bin=$1 arch=$2 out=$3 stage deb
  [ -x "$bin" ] || { echo "deb: $bin is missing (make release)" >&2; return 1; }
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' RETURN
  install -D -m 0755 "$bin" "$stage/usr/bin/solder"
  install -D -m 0644 packaging/solder.service "$stage/usr/lib/systemd/system/solder.service"
  install -D -m 0644 packaging/solder.default "$stage/etc/default/solder"
  install -D -m 0640 packaging/config.alloy "$stage/etc/solder/config.alloy"
  install -D -m 0644 docs/running-on-vms.md "$stage/usr/share/doc/solder/running-on-vms.md"
  install -d -m 0755 "$stage/DEBIAN"
  install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"
  printf '/etc/default/solder\n/etc/solder/config.alloy\n' >"$stage/DEBIAN/conffiles"
  cat >"$stage/DEBIAN/control" <<CONTROL
Package: solder
Version: $version
Architecture: $arch
Maintainer: solder developers <solder@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Section: net
Priority: optional
Description: OpenTelemetry gateway in one executable, configured in the Alloy language
 solder receives, processes and exports OpenTelemetry traces, metrics and logs
 (OTLP over gRPC and HTTP). It runs as the systemd service solder.service as the
 solder system user; its configuration is /etc/solder/config.alloy and its
 settings /etc/default/solder.
CONTROL
  mkdir -p "$out"
  deb="$out/solder_${version}_$arch.deb"
  dpkg-deb --root-owner-group -Zgzip -z6 --build "$stage" "$deb" >/dev/null
  echo "deb: $deb ($(du -m "$deb" | cut -f1) MiB)"
}

if [ $# -gt 0 ]; then
  build "$1" "${2:?deb: which Debian architecture (amd64, arm64)?}" "${3:-dist/release}"
else
  build dist/release/solder-linux-x64 amd64 dist/release
  build dist/release/solder-linux-arm64 arm64 dist/release
  # SHA256SUMS (written by scripts/release.sh) now covers the packages too.
  (cd dist/release && sha256sum $(ls solder-linux-* solder_"$version"_*.deb | sort) >SHA256SUMS)
fi
