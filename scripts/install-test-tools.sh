#!/usr/bin/env bash
# Installs what the test tiers need on a Debian machine, as root: CI's (.ci/run) and the GitHub
# workflows' job container. Each tool is installed only where it is missing; slow set-up (the VM
# image, the newer cloud-init) goes into caches outside the repository.
#
#   scripts/install-test-tools.sh          # for every tier
#   scripts/install-test-tools.sh vm       # the Debian packages, and the slow set-up of these tiers only
set -euo pipefail
cd "$(dirname "$0")/.."
tiers=("$@")
wants() { [ "${#tiers[@]}" -eq 0 ] || [[ " ${tiers[*]} " == *" $1 "* ]]; }

# Debian packages of the boot tier: cloud-init's schema validator, shellcheck, systemd-analyze,
# sshd -t (openssh-server; nothing starts it here: no systemd runs in CI's sandbox).
missing=()
command -v cloud-init >/dev/null 2>&1 || missing+=(cloud-init)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
# The VM tier: qemu (software emulation), what builds its Debian image, and what builds and serves
# the stand-in packages (socat forwards the guest's connections to the mirror on loopback).
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
command -v qemu-img >/dev/null 2>&1 || missing+=(qemu-utils)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v genisoimage >/dev/null 2>&1 || missing+=(genisoimage)
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v apt-ftparchive >/dev/null 2>&1 || missing+=(apt-utils)
command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
# The VM tier's real editor: Debian's Chromium for the browser, and what compiles code-server's
# native modules when its .deb is built from the npm release.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
# jsii-pacmak builds the wheel in a virtual environment of python3's; the Python consumer tier
# then installs that wheel.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "ci: installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# checkov (PyPI) scans the synthesized Terraform JSON.
if wants boot && ! checkov --version >/dev/null 2>&1; then
  echo "ci: installing checkov from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check 'checkov==3.3.30'
  # Under pyenv a new console script is on PATH only after its shims are rebuilt.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  hash -r
fi

tools=("cloud-init $(cloud-init --version 2>&1 | awk '{print $2}')" "$(shellcheck --version | sed -n 's/^version: /shellcheck /p')" "$(systemd-analyze --version | head -n 1)" "$(qemu-system-x86_64 --version | head -n 1 | awk '{print "qemu " $4}')")
if wants boot; then
  # Debian trixie's cloud-init 25.x, unpacked into a cache (not installed), for the second schema check.
  newer_cloud_init="$(scripts/fetch-cloud-init.sh)"
  tools+=("checkov $(checkov --version)" "$("$newer_cloud_init" --version 2>&1 | tail -n 1 | awk '{print "cloud-init " $NF}') (trixie)")
fi
# The VM tier's Debian image, built once into a cache keyed by its build script (about 5 minutes).
# With ZTCS_VM_IMAGE_LATER=1 the caller builds it (CI does, in the background: the tests wait for it).
if wants vm && [ -z "${ZTCS_VM_IMAGE_LATER:-}" ]; then scripts/build-vm-image.sh >/dev/null; fi

joined="$(printf '%s, ' "${tools[@]}")"
echo "ci: tools: ${joined%, }"
