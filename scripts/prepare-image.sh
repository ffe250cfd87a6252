#!/usr/bin/env bash
# Prepares a droplet image with code-server and cloudflared already installed, so that a droplet
# booted from it skips both downloads (the boot's install steps find the pinned code-server and
# cloudflared with its checked key and source, and do nothing). Use it through the droplet's
# `image` prop (`droplet: { image: '<the custom image id>' }`); see docs/operations.md.
#
# It boots the base image (an Ubuntu 24.04 cloud image, .img or .qcow2) once under qemu with
# software emulation (never KVM), with a NoCloud seed whose user data runs the boot's own install
# steps (lib/boot/assets/install-code-server.sh and install-cloudflared.sh, with the same pins),
# then resets cloud-init (`cloud-init clean --logs --machine-id`) and powers off; the disk is
# written out as a compressed qcow2, which DigitalOcean takes as a custom image. Nothing listens:
# the guest has qemu's user-mode network only, and no port is forwarded into it.
#
#   scripts/prepare-image.sh --base noble-server-cloudimg-amd64.img --out ztcs-noble.qcow2 \
#     --code-server-sha256 <the .deb's SHA-256>          # the same value as the codeServerSha256 prop
#
# Options (the pins default to the library's own, BOOT_DEFAULTS; change them together with the props):
#   --base FILE                   the base image (required)
#   --out FILE                    the prepared image, qcow2 (required)
#   --code-server-version V       codeServerVersion
#   --code-server-sha256 HEX      codeServerSha256 (required: the .deb is checked before it is installed)
#   --code-server-deb-url URL     codeServerDebUrl ({version} is replaced)
#   --cloudflared-repository URL  cloudflaredAptRepository
#   --cloudflared-key-url URL     cloudflaredKeyUrl
#   --cloudflared-key-fingerprint FPR  cloudflaredKeyFingerprint
#   --kernel FILE --initrd FILE --append ARGS   boot a root file system image without a boot loader
#   --netdev-options OPTS         more options of qemu's user network (e.g. restrict=on,guestfwd=...)
#   --size SIZE                   the prepared disk's size (default 8G; cloud-init grows the root to it)
# Needs qemu-system-x86_64, qemu-img and genisoimage (or xorriso). Prints the image's path last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
assets="$here/../lib/boot/assets"

default() {
  node -p "require('$here/../lib/boot/code-server-user-data.js').BOOT_DEFAULTS.$1" 2>/dev/null || true
}

base='' out='' sha256='' kernel='' initrd='' append='' netdev_options='' size=8G
version='' deb_url='' repository='' key_url='' fingerprint=''
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="$2" ;;
    --out) out="$2" ;;
    --code-server-version) version="$2" ;;
    --code-server-sha256) sha256="$2" ;;
    --code-server-deb-url) deb_url="$2" ;;
    --cloudflared-repository) repository="$2" ;;
    --cloudflared-key-url) key_url="$2" ;;
    --cloudflared-key-fingerprint) fingerprint="$2" ;;
    --kernel) kernel="$2" ;;
    --initrd) initrd="$2" ;;
    --append) append="$2" ;;
    --netdev-options) netdev_options="$2" ;;
    --size) size="$2" ;;
    *) echo "prepare-image: unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift 2
done
version="${version:-$(default codeServerVersion)}"
deb_url="${deb_url:-$(default codeServerDebUrl)}"
repository="${repository:-$(default cloudflaredAptRepository)}"
key_url="${key_url:-$(default cloudflaredKeyUrl)}"
fingerprint="${fingerprint:-$(default cloudflaredKeyFingerprint)}"
[ -f "$base" ] || { echo "prepare-image: --base: no such image: '$base'" >&2; exit 2; }
[ -n "$out" ] || { echo "prepare-image: --out is required" >&2; exit 2; }
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || { echo "prepare-image: --code-server-sha256: expected 64 lower-case hex digits, got '$sha256'" >&2; exit 2; }
for pin in version deb_url repository key_url fingerprint; do
  [ -n "${!pin}" ] || { echo "prepare-image: no $pin given and none found in the library's defaults (build lib first)" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# The boot's settings, as the install steps read them (lib/boot/fragments/editor.ts, bootEnvironment).
boot_env="CODE_SERVER_VERSION=$version
CODE_SERVER_SHA256=$sha256
CODE_SERVER_DEB_URL=${deb_url//\{version\}/$version}
CLOUDFLARED_APT_REPOSITORY=$repository
CLOUDFLARED_KEY_URL=$key_url
CLOUDFLARED_KEY_FINGERPRINT=${fingerprint^^}"

indent() { sed 's/^/      /'; }
# The steps run from /run (gone at the next boot; mounted noexec, hence bash); a line on the console says how they ended, and
# once cloud-init has finished, its state, the machine id and the SSH host keys (each droplet makes
# its own) are reset and the machine powers off.
mkdir -p "$work/seed"
{
  echo '#cloud-config'
  # No default user (ubuntu, debian): the droplet's own user data makes the developer's, uid 1000.
  echo 'users: []'
  echo 'write_files:'
  for name in retry.sh install-code-server.sh install-cloudflared.sh; do
    echo "  - path: /run/ztcs-prepare/$name"
    echo "    permissions: '0755'"
    echo '    content: |'
    indent < "$assets/$name"
  done
  echo '  - path: /run/ztcs-prepare/boot.env'
  echo '    content: |'
  indent <<< "$boot_env"
  cat <<'RUNCMD'
runcmd:
  - - sh
    - -c
    - |
      export ZTCS_ETC=/run/ztcs-prepare
      if bash /run/ztcs-prepare/install-code-server.sh && bash /run/ztcs-prepare/install-cloudflared.sh && apt-get clean; then
        echo "ztcs-prepare: installed $(dpkg-query -W code-server cloudflared | tr '\t\n' '  ')" > /dev/ttyS0
      else
        echo "ztcs-prepare: failed" > /dev/ttyS0
      fi
      systemd-run --unit=ztcs-prepare-seal --no-block sh -c 'cloud-init status --wait >/dev/null; cloud-init clean --logs --machine-id; rm -f /var/lib/dbus/machine-id /etc/ssh/ssh_host_*; sync; systemctl poweroff'
RUNCMD
} > "$work/seed/user-data"
printf 'instance-id: ztcs-prepare-%s\nlocal-hostname: ztcs-prepare\n' "$(date +%s)" > "$work/seed/meta-data"
if command -v genisoimage >/dev/null; then
  genisoimage -quiet -output "$work/seed.iso" -volid cidata -joliet -rock "$work/seed"
else
  xorriso -as mkisofs -quiet -output "$work/seed.iso" -volid cidata -joliet -rock "$work/seed"
fi

base_format="$(qemu-img info --output=json "$base" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).format')"
qemu-img create -q -f qcow2 -b "$(readlink -f "$base")" -F "$base_format" "$work/disk.qcow2" "$size"
args=(-accel tcg -m 2048 -smp 2 -display none -no-reboot
  -drive "file=$work/disk.qcow2,if=virtio,format=qcow2"
  -drive "file=$work/seed.iso,if=virtio,format=raw,readonly=on"
  -netdev "user,id=net0${netdev_options:+,$netdev_options}" -device virtio-net-pci,netdev=net0
  -serial "file:$work/console.log")
if [ -n "$kernel" ]; then
  args+=(-kernel "$kernel" -initrd "$initrd" -append "${append:-console=ttyS0}")
fi
echo "prepare-image: booting $base under emulation to install code-server $version and cloudflared" >&2
if ! timeout 3600 qemu-system-x86_64 "${args[@]}"; then
  tail -n 40 "$work/console.log" >&2
  echo "prepare-image: qemu failed or ran over an hour" >&2
  exit 1
fi
if ! grep -q 'ztcs-prepare: installed' "$work/console.log"; then
  cp "$work/console.log" "$out.console.log"
  grep -a 'ztcs\|runcmd\|scripts-user\|rror' "$work/console.log" | tail -n 40 >&2
  echo "prepare-image: the install did not succeed; the machine's console is in $out.console.log" >&2
  exit 1
fi
grep -a 'ztcs-prepare: installed' "$work/console.log" | tr -d '\r' >&2
mkdir -p "$(dirname "$out")"
qemu-img convert -c -O qcow2 "$work/disk.qcow2" "$out.partial"
mv "$out.partial" "$out"
echo "prepare-image: $(du -h "$out" | cut -f1) in $((SECONDS - started)) s" >&2
echo "$out"
