#!/bin/sh
# Runs inside a qemu guest (Debian's kernel, the host's root read-only over 9p): logs in to the
# lab's tgtd through both portals, builds the multipath maps from storagekit's rendered files,
# mounts the lab's NFS export, and writes the raw output of each tool to /out (a writable 9p
# share) for the parsers' fixtures. Each command's exit status goes to NAME.exit.
KL=/var/tmp/storagekit-kernel-lab
T=iqn.2026-11.lab.san:vmstore
mount -t proc proc /proc 2>/dev/null; mount -t sysfs sys /sys 2>/dev/null
mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp; mount -t tmpfs tmpfs /mnt
mkdir -p /tmp/etc-up /tmp/etc-work /tmp/var-up /tmp/var-work /run/lock /tmp/out
modprobe overlay
mount -t overlay overlay -o lowerdir=/etc,upperdir=/tmp/etc-up,workdir=/tmp/etc-work /etc
mount -t overlay overlay -o lowerdir=/var,upperdir=/tmp/var-up,workdir=/tmp/var-work /var
mount -t 9p -o trans=virtio,version=9p2000.L out /tmp/out || echo "GUEST: no /out share"
run() { name=$1; shift; "$@" > /tmp/out/$name 2>&1; echo $? > /tmp/out/$name.exit; }
modprobe virtio_net; ip link set lo up
ip link set eth0 up; ip addr add 10.99.1.12/24 dev eth0; ip link set eth1 up; ip addr add 10.99.2.12/24 dev eth1
modprobe iscsi_tcp; modprobe dm_multipath; modprobe sd_mod
cp "$KL/render/etc/iscsi/initiatorname.iscsi" /etc/iscsi/initiatorname.iscsi
cp "$KL/render/etc/multipath.conf" /etc/multipath.conf
mkdir -p /etc/multipath; cp "$KL/render/etc/multipath/wwids" /etc/multipath/wwids
/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1; udevadm trigger >/dev/null 2>&1; udevadm settle -t 10 >/dev/null 2>&1
iscsid -f >/tmp/iscsid.log 2>&1 &
sleep 1
run iscsiadm-discovery-portal1.txt iscsiadm -m discovery -t sendtargets -p 10.99.1.5
iscsiadm -m discovery -t sendtargets -p 10.99.2.5 >/dev/null 2>&1
for p in 10.99.1.5:3260 10.99.2.5:3260; do
  iscsiadm -m node -T $T -p $p -o update -n node.session.auth.authmethod -v CHAP
  iscsiadm -m node -T $T -p $p -o update -n node.session.auth.username -v labuser
  iscsiadm -m node -T $T -p $p -o update -n node.session.auth.password -v "$(cat $KL/chap.secret)"
done
run iscsiadm-login-both-portals.txt iscsiadm -m node -T $T --login
sleep 2; udevadm settle -t 10
run iscsiadm-session.txt iscsiadm -m session
run iscsiadm-session-P3.txt iscsiadm -m session -P 3
run iscsiadm-node.txt iscsiadm -m node
run iscsiadm-login-again.txt iscsiadm -m node -T $T -p 10.99.1.5:3260 --login
for d in sda sdb sdc sdd; do run scsi_id-$d.txt /lib/udev/scsi_id -g -u -d /dev/$d; done
multipathd -d -s >/tmp/mpd.log 2>&1 &
sleep 3; multipath -r >/dev/null 2>&1; sleep 2; udevadm settle -t 10
run multipath-ll.txt multipath -ll
ls -la /dev/mapper/ > /tmp/out/dev-mapper.txt 2>&1
modprobe nfsv3; modprobe nfsv4; rpcbind 2>/dev/null
mkdir -p /mnt/storage /mnt/storage4 /mnt/empty
run mount-nfs3.txt mount -t nfs -o vers=3,hard,nolock 10.99.1.9:/srv/vmstore /mnt/storage
run findmnt-nfs3.json findmnt --json --mountpoint /mnt/storage
run mount-nfs41.txt mount -t nfs -o vers=4.1,hard 10.99.1.9:/srv/vmstore /mnt/storage4
run findmnt-nfs41.json findmnt --json --mountpoint /mnt/storage4
run findmnt-not-a-mountpoint.json findmnt --json --mountpoint /mnt/empty
umount /mnt/storage /mnt/storage4
multipath -F >/dev/null 2>&1
run iscsiadm-logout.txt iscsiadm -m node -T $T --logout
run iscsiadm-session-none.txt iscsiadm -m session
uname -r > /tmp/out/kernel.txt
sync; umount /tmp/out; poweroff -f
