# shellcheck shell=bash
# Sourced, not run: `source scripts/use-node.sh 24` makes one Node.js line (scripts/fetch-node.sh)
# the Node.js of everything the calling script starts afterwards: its bin first on PATH, its
# headers for node-gyp (npm_config_nodedir), and nothing left of an outer npm. An npm that runs a
# script (`npm test` running jest, which runs the VM tier's package build) hands its settings down
# as npm_config_* variables, and an npm started below reads them back as its own: its user agent
# would still say "node/v20" (npm_config_user_agent), which is how code-server's postinstall checks
# the Node.js it is built with. So what an npm says of its own Node.js, installation and run goes
# (the user agent, node-gyp, the prefixes, the lifecycle's and the package's variables); settings
# such as npm_config_cache or npm_config_registry stay. The outer project's node_modules/.bin and
# npm's node-gyp shim leave PATH. Sets use_node_package to the package folder.
use_node_package="$("$(dirname "${BASH_SOURCE[0]}")/fetch-node.sh" "${1:?usage: source scripts/use-node.sh <major version, e.g. 24>}" | tail -n 1)"
while IFS= read -r use_node_name; do
  unset "$use_node_name"
done < <(compgen -e | grep -E '^(npm_config_(user_agent|node_gyp|npm_version|prefix|global_prefix|local_prefix|globalconfig)|npm_(command|execpath|node_execpath|lifecycle_.*|package_.*)|NODE|INIT_CWD)$')
use_node_path=""
while IFS= read -r -d : use_node_dir; do
  case "$use_node_dir" in
    */node_modules/.bin | */node-gyp-bin | "") ;;
    *) use_node_path="$use_node_path:$use_node_dir" ;;
  esac
done <<< "$PATH:"
export PATH="$use_node_package/bin$use_node_path" npm_config_nodedir="$use_node_package"
unset use_node_name use_node_dir use_node_path
