#!/usr/bin/env bash
# Installs solder as a systemd service on any Linux VM (the .deb does the same on Debian/Ubuntu):
#   /usr/bin/solder, /usr/lib/systemd/system/solder.service, /etc/default/solder,
#   /etc/solder/config.alloy (the built-in default pipeline; kept if it exists),
#   the solder system user, /var/lib/solder; then enables and starts the service.
#
#   sudo packaging/install.sh path/to/solder-linux-x64
#   packaging/install.sh --root /tmp/scratch path/to/solder   # into a scratch root, host untouched
#
# Re-running it upgrades the binary and unit and keeps config, defaults and data.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

root=""
if [ "${1:-}" = --root ]; then root=$(cd "${2:?--root needs a directory}" && pwd); shift 2; fi
bin=${1:?usage: install.sh [--root DIR] path/to/solder}
[ -x "$bin" ] || { echo "install.sh: $bin is not an executable" >&2; exit 1; }
[ -n "$root" ] || [ "$(id -u)" = 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }

install -D -m 0755 "$bin" "$root/usr/bin/solder"
install -D -m 0644 "$here/solder.service" "$root/usr/lib/systemd/system/solder.service"
# Local settings survive re-installs.
[ -e "$root/etc/default/solder" ] || install -D -m 0644 "$here/solder.default" "$root/etc/default/solder"
[ -e "$root/etc/solder/config.alloy" ] || install -D -m 0640 "$here/config.alloy" "$root/etc/solder/config.alloy"

# The user, the directories and the service: the .deb's postinst, with the same $DPKG_ROOT
# convention for scratch roots. "" as $2 = a first install (enable + start); else try-restart.
upgrade=""
[ -n "$root" ] || ! systemctl is-enabled --quiet solder.service 2>/dev/null || upgrade=installed
DPKG_ROOT="$root" sh "$here/deb/postinst" configure "$upgrade"

echo "solder $("$root/usr/bin/solder" --version 2>/dev/null | head -n 1 || true) installed${root:+ under $root}."
[ -n "$root" ] || echo "Config: /etc/solder/config.alloy (systemctl reload solder after edits). Logs: journalctl -u solder -f"
