#!/bin/bash
# Optional steps, run after the editor is up: settings, extensions, repositories and dotfiles.
# Each one is skipped when already done, so a second run (or a replacement droplet on the same
# home volume) changes nothing the developer made.
set -euo pipefail
# The boot's settings; ZTCS_ETC points elsewhere only in tests.
# shellcheck source=/dev/null
. "${ZTCS_ETC:-/etc/ztcs}/boot.env"

# cloud-init runs this with HOME unset; git and code-server read it.
as_user() {
  runuser -u "$CODE_USER" -- env HOME="$CODE_HOME" "$@"
}

settings_dir="$CODE_HOME/.local/share/code-server/User"
settings="${ZTCS_ETC:-/etc/ztcs}/settings.json"
if [ -f "$settings" ] && [ ! -e "$settings_dir/settings.json" ]; then
  as_user mkdir -p "$settings_dir"
  as_user cp "$settings" "$settings_dir/settings.json"
fi

read -r -a extension_ids <<< "$EXTENSIONS"
for extension in "${extension_ids[@]}"; do
  as_user code-server --install-extension "$extension" \
    || echo "ztcs: could not install the extension $extension" >&2
done

read -r -a repositories <<< "$GIT_REPOSITORIES"
for repository in "${repositories[@]}"; do
  target="$WORKSPACE/$(basename "$repository" .git)"
  if [ ! -e "$target" ]; then
    as_user git clone --quiet "$repository" "$target" \
      || echo "ztcs: could not clone $repository" >&2
  fi
done

dotfiles="$CODE_HOME/.dotfiles"
if [ -n "$DOTFILES_REPOSITORY" ] && [ ! -e "$dotfiles" ]; then
  as_user git clone --quiet "$DOTFILES_REPOSITORY" "$dotfiles"
  for script in install.sh install bootstrap.sh setup.sh; do
    if [ -x "$dotfiles/$script" ]; then
      (cd "$dotfiles" && as_user "./$script")
      break
    fi
  done
fi
