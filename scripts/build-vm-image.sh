#!/usr/bin/env bash
# Builds the virtual machine of the VM test tier (test/vm): a Debian trixie root file system
# (cloud-init 25.x, systemd, a Debian cloud kernel and what our boot expects of Ubuntu's cloud
# image), made with debootstrap from the Debian archive this machine's apt uses and packed with
# mkfs.ext4 -d. Needs root (debootstrap), debootstrap, e2fsprogs and qemu-utils.
#
# The image is cached outside the repository, in a folder named after the hash of this script
# (its only input besides the Debian release), and built once:
#
#   scripts/build-vm-image.sh      # prints the folder on its last line: root.qcow2, vmlinuz, initrd.img
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

suite=trixie
# Ubuntu 24.04's cloud image has these (and more): networking by netplan and systemd-networkd,
# an SSH server whose host keys cloud-init makes, unattended-upgrades; the boot uses curl, gpg,
# git, sudo, runuser, mountpoint, apt and systemd. python3 runs cloud-init and the test's
# stand-in programs.
packages=(
  systemd-sysv udev dbus cloud-init netplan.io linux-image-cloud-amd64 initramfs-tools
  openssh-server ca-certificates curl gpg sudo git e2fsprogs util-linux procps iproute2 less
  unattended-upgrades python3 python3-yaml
)

key="$(sha256sum "$0" | cut -c 1-16)"
cache="${ZTCS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdktf-zero-trust-code-server}/vm"
dest="$cache/$suite-$key"
mkdir -p "$cache"
# One build at a time: a second caller (a test, while CI builds the image in the background) waits
# for the first's image.
exec 9>"$cache/.lock"
flock 9
if [ -f "$dest/root.qcow2" ] && [ -f "$dest/vmlinuz" ] && [ -f "$dest/initrd.img" ]; then
  echo "$dest"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "building the VM image needs root (debootstrap)" >&2; exit 1; }
work="$(mktemp -d "$cache/build.XXXXXX")"
rootfs="$work/rootfs"
cleanup() {
  for mount in proc sys dev/pts dev; do
    mountpoint -q "$rootfs/$mount" 2>/dev/null && umount -l "$rootfs/$mount"
  done
  rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
archive="$("$here/debian-archive.sh")"
echo "vm image: debootstrap $suite from $archive" >&2
if ! debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" \
  "$suite" "$rootfs" "$archive" >"$work/debootstrap.log" 2>&1; then
  tail -n 40 "$work/debootstrap.log" >&2
  [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 40 "$rootfs/debootstrap/debootstrap.log" >&2
  exit 1
fi

# The root disk is the first virtio disk, found by its label.
echo 'LABEL=ztcs-root / ext4 defaults,errors=remount-ro 0 1' > "$rootfs/etc/fstab"
echo 'ztcs-rehearsal' > "$rootfs/etc/hostname"
# As Ubuntu's image: the locale is set, so cloud-init has none to generate.
echo 'LANG=C.UTF-8' > "$rootfs/etc/default/locale"
# The seed disk is the only source of user data: no network data source is probed.
cat > "$rootfs/etc/cloud/cloud.cfg.d/90-ztcs-rehearsal.cfg" <<'CFG'
datasource_list: [NoCloud, None]
CFG

# The test's probe: when a disk labelled ztcs-probe is attached, its program `probe` runs as root
# and writes its report to the second serial port; the machine then powers off.
mkdir -p "$rootfs/usr/local/sbin"
cat > "$rootfs/usr/local/sbin/ztcs-rehearsal-probe" <<'PROBE'
#!/bin/sh
for _ in $(seq 1 60); do
  [ -e /dev/disk/by-label/ztcs-probe ] && break
  sleep 1
done
[ -e /dev/disk/by-label/ztcs-probe ] || exit 0
mkdir -p /run/ztcs-probe
mount -o ro /dev/disk/by-label/ztcs-probe /run/ztcs-probe
/run/ztcs-probe/probe > /dev/ttyS1 2>&1
systemctl poweroff
PROBE
chmod 0755 "$rootfs/usr/local/sbin/ztcs-rehearsal-probe"
cat > "$rootfs/etc/systemd/system/ztcs-rehearsal-probe.service" <<'UNIT'
[Unit]
Description=VM test tier: report on the boot to the second serial port

[Service]
Type=simple
ExecStart=/usr/local/sbin/ztcs-rehearsal-probe

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/ztcs-rehearsal-probe.service \
  "$rootfs/etc/systemd/system/multi-user.target.wants/ztcs-rehearsal-probe.service"

# A fresh machine: no machine id, no cloud-init state, and apt with no package lists or downloads
# (the boot reads cloudflared's repository only, and the guest could reach no other).
: > "$rootfs/etc/machine-id"
rm -f "$rootfs/var/lib/dbus/machine-id"
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/cache/apt/"*.bin "$rootfs/var/lib/cloud/"* "$rootfs/debootstrap"
find "$rootfs/var/lib/apt/lists" -maxdepth 1 -type f -delete

mkdir -p "$work/out"
cp "$(readlink -f "$rootfs/vmlinuz")" "$work/out/vmlinuz"
cp "$(readlink -f "$rootfs/initrd.img")" "$work/out/initrd.img"
mkfs.ext4 -q -L ztcs-root -d "$rootfs" "$work/root.img" 4G
qemu-img convert -O qcow2 "$work/root.img" "$work/out/root.qcow2"
du -sh "$work/out/root.qcow2" | awk '{print "vm image: root.qcow2 " $1}' >&2
echo "vm image: built in $((SECONDS - started)) s" >&2

rm -rf "$dest"
mv "$work/out" "$dest"
# Images built from older versions of this script are not used again.
find "$cache" -mindepth 1 -maxdepth 1 -type d -name "$suite-*" ! -path "$dest" -exec rm -rf {} +
echo "$dest"
