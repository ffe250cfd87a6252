#!/usr/bin/env bash
# Fetches the cloud-init of Debian's current stable release (25.x: close to what Ubuntu 24.04
# droplets run, and stricter than the 22.4 of Debian bookworm) for the boot tier's second schema
# check. Nothing is installed: the package is unpacked into a cache folder, with a wrapper that
# runs it on the system's Python 3 (whose yaml, jsonschema and jinja2 come with Debian's cloud-init).
#
#   scripts/fetch-cloud-init.sh      # prints the wrapper's path on its last line
set -euo pipefail

dest="${ZTCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-zero-trust-code-server}/cloud-init-trixie"
wrapper="$dest/bin/cloud-init"
if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
  echo "$wrapper"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc" "$work/lists/partial" "$work/cache/archives/partial"
# The Debian archive this machine's apt already uses.
archive="$("$(dirname "$0")/debian-archive.sh")"
cat > "$work/etc/trixie.sources" <<SOURCES
Types: deb
URIs: $archive
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
# Only this one source, with lists and cache of its own: the machine's apt state is not touched.
apt_options=(
  -o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$work/etc"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
)
apt-get "${apt_options[@]}" update -qq
(cd "$work" && apt-get "${apt_options[@]}" download cloud-init 2>/dev/null)

rm -rf "$dest"
mkdir -p "$dest/bin"
dpkg-deb -x "$work"/cloud-init_*.deb "$dest/root"
cat > "$wrapper" <<WRAPPER
#!/bin/sh
PYTHONPATH="$dest/root/usr/lib/python3/dist-packages" exec /usr/bin/python3 "$dest/root/usr/bin/cloud-init" "\$@"
WRAPPER
chmod +x "$wrapper"
"$wrapper" --version >&2
echo "$wrapper"
