#!/bin/sh
# Builds the initramfs of faultline's VM nodes: a static busybox and the kernel modules needed to
# mount the controller's root read-only over virtio-9p under a writable tmpfs overlay. Everything
# else (sshd, kmod, etcd, the modules for disk and network) comes from that shared root, so the
# image stays small and never goes stale. Needs no root.
#   vm-initramfs.sh OUTDIR  ->  OUTDIR/initramfs.cpio.gz, OUTDIR/kernel (path of the matching vmlinuz)
set -eu
out=$1
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "vm-initramfs: $busybox missing (Debian package busybox-static)" >&2; exit 1; }
# The newest installed kernel whose modules are installed too.
kernel=""
for k in $(ls -v /boot/vmlinuz-* 2>/dev/null); do
  [ -d "/lib/modules/${k#/boot/vmlinuz-}/kernel" ] && kernel=$k
done
[ -n "$kernel" ] || { echo "vm-initramfs: no kernel with modules in /boot (Debian package linux-image-amd64)" >&2; exit 1; }
version=${kernel#/boot/vmlinuz-}
[ -r "$kernel" ] || { echo "vm-initramfs: $kernel is not readable" >&2; exit 1; }
mods=/lib/modules/$version

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/mod" "$work/proc" "$work/sys" "$work/dev" "$work/lower" "$work/rw" "$work/root"
cp "$busybox" "$work/bin/busybox"

# Dependencies first, in the order modules.dep lists them (it puts a module's needs after it).
order=""
add() {
  local line file dep
  case " $order " in *" $1 "*) return ;; esac
  line=$(grep "^kernel/.*/$1\.ko[^:]*:" "$mods/modules.dep" || true)
  [ -n "$line" ] || { grep -q "/$1\.ko" "$mods/modules.builtin" 2>/dev/null && return; echo "vm-initramfs: module $1 not found" >&2; exit 1; }
  file=${line%%:*}
  for dep in ${line#*:}; do add "$(basename "$dep" | sed 's/\.ko.*//')"; done
  case "$file" in
    *.ko) cp "$mods/$file" "$work/mod/$1.ko" ;;
    *.ko.xz) xz -dc "$mods/$file" > "$work/mod/$1.ko" ;;
    *.ko.zst) zstd -qdc "$mods/$file" > "$work/mod/$1.ko" ;;
  esac
  order="$order $1"
}
for m in virtio_pci 9pnet_virtio 9p overlay; do add "$m"; done
echo "$order" > "$work/mod/order"

cat > "$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mod/order); do insmod /mod/$m.ko; done
# fl.probe: only show that the kernel reached userspace (the acceleration probe).
if grep -q fl.probe /proc/cmdline; then echo faultline-probe-ok; poweroff -f; fi
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /lower
mount -t tmpfs -o mode=755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /root
init=$(sed -n 's/.*fl\.init=\([^ ]*\).*/\1/p' /proc/cmdline)
umount /proc /sys
mount --move /dev /root/dev
exec switch_root /root /bin/sh "$init"
INIT
chmod 755 "$work/init"

mkdir -p "$out"
(cd "$work" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "$kernel" > "$out/kernel"
