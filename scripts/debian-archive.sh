#!/usr/bin/env bash
# Prints the Debian archive this machine's apt already uses (the one serving the release, not
# security, updates or backports), so that nothing else needs a mirror's address.
set -euo pipefail
# shellcheck disable=SC2016 # $(RELEASE) and $(REPO_URI) are apt's format fields, not shell.
archive="$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Created-By: Packages' \
  | awk '$1 !~ /-(security|updates|backports)$/ { print $2; exit }')"
[ -n "$archive" ] || { echo "no Debian archive in apt's sources" >&2; exit 1; }
echo "$archive"
