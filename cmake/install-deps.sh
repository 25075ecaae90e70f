#!/bin/sh
# Installs everything faultline needs from Debian's packages. Idempotent: when every package is
# already present it only checks and returns in well under a second.
set -eu

PACKAGES="build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
libssh2-1-dev nlohmann-json3-dev libsimdjson-dev libfmt-dev libboost-dev libboost-filesystem-dev libcli11-dev
libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev zlib1g-dev libcpp-httplib-dev
openssh-server openssh-client iproute2 iptables procps psmisc util-linux
faketime libfaketime etcd-server etcd-client redis-server python3 python3-redis
graphviz chromium slurm-wlm munge
qemu-system-x86 qemu-utils linux-image-amd64 busybox-static sudo cpio iputils-ping e2fsprogs
libcap2 libedit2 libgnutls30 libnettle8 libseccomp2"
# VM nodes run chrony as their NTP client (and the sandbox one as their server, with -x: it never
# adjusts this machine's clock). The package is only downloaded here, to be unpacked per sandbox:
# installed, it would discipline this machine's own clock.
VM_PACKAGES=/var/lib/faultline/vm-packages

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
have_chrony() { ls "$VM_PACKAGES"/chrony_*.deb >/dev/null 2>&1; }
[ -z "$missing" ] && have_chrony && exit 0
have_chrony || missing="$missing chrony(download only)"

if [ "$(id -u)" != 0 ]; then
  echo "faultline: missing packages:$missing — run this script as root (sudo $0)" >&2
  exit 1
fi
echo "faultline: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
install=$(echo "$missing" | sed 's/ chrony(download only)//')
if [ -n "$install" ]; then
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $install >/dev/null
fi
if ! have_chrony; then
  mkdir -p "$VM_PACKAGES"
  (cd "$VM_PACKAGES" && apt-get download -qq chrony 2>/dev/null) ||
    echo "faultline: could not download chrony; VM nodes will run without NTP" >&2
fi
# Debian starts these services on install; faultline runs its own copies inside the sandbox.
for svc in etcd redis-server ssh; do
  systemctl disable --now "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
done
