#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/e2e/vm.sh [--timeout SEC] VERSION GUEST_SCRIPT [ARGS...]
#
# Boots Debian's VERSION (6.1 or 6.12) kernel in QEMU (TCG, no network) with a busybox
# initramfs that mounts the host's root read-only over virtio-9p under a tmpfs overlay
# and switch_roots into it (DESIGN §8), then runs GUEST_SCRIPT ARGS as root in the
# guest and powers off. The guest sees every host tool and the repo at the same path.
#
# In the guest:
#   /results         writable 9p share = the host results dir (fresh per run)
#   environment      PATH, HOME=/root, EIPFIX_RESULTS=/results, EIPFIX_KREL=<release>,
#                    EIPFIX_VERSION, every EIPFIX_* variable of the caller; cwd = caller's cwd
#   mounted          /proc /sys /dev /dev/pts /dev/shm /run (tmpfs) /sys/kernel/debug
#   after the script /results/rc (its exit status), /results/dmesg.txt
#
# $EIPFIX_VM_INIT=systemd: the host's systemd boots as PID 1 instead. GUEST_SCRIPT runs
# twice: "GUEST_SCRIPT preboot ARGS" before systemd starts (to install what the boot
# should find), then "GUEST_SCRIPT run ARGS" as eipfix-test.service once basic.target is
# up; /results/journal.txt then holds the boot's journal.
#
# $EIPFIX_VM_APPEND: extra kernel command-line arguments (e.g. slab_nomerge), appended
# to the fixed ones. tests/e2e/run.sh fills it from the "# e2e-kernel-args: ARGS" lines
# of the tests it runs.
#
# Host results dir: $EIPFIX_RESULTS_DIR if set, else a new
# ${EIPFIX_CACHE:-~/.cache/enclave_ipfix}/results/VERSION-<date>-XXXX. It holds
# console.log (the whole serial console), output.log (the script's output, also shown
# here live), dmesg.txt, rc, and whatever the script wrote.
#
# $EIPFIX_VM_ACCEL: QEMU's -accel argument. Default "tcg" (one host thread per vCPU),
# but "tcg,thread=single" for 6.12: under multi-threaded TCG a 6.12 guest was seen to
# die of "Oops: int3" in code the kernel was patching (jump labels: sched_clock_cpu at
# boot with no module loaded, ip_rcv while netfilter's static key flipped), i.e. TCG's
# handling of cross-modifying code racing another vCPU. One thread for both vCPUs
# serialises them: the guest still has 2 CPUs (and the module still runs on both),
# they just take turns.
#
# $EIPFIX_VM_ICOUNT=SHIFT (tests/bench): the guest's clocks count instructions, not
# host time (QEMU -icount shift=SHIFT,sleep=off: one instruction is 2^SHIFT ns; implies
# thread=single): a time measured in the guest is then its instruction count, the same
# on a quiet or a loaded host.
#
# $EIPFIX_VM_PIN=N (tests/bench): pin the QEMU thread that runs vCPU 0 ("CPU 0/TCG";
# "ALL CPUs/TCG" under thread=single) to host CPU N, and every other QEMU thread to the
# other host CPUs, so that the vCPU a benchmark measures on never waits for QEMU's main
# loop, its 9p I/O or the other vCPU.
#
# Exit status: the script's rc; 1 also when the guest's dmesg has a kernel splat (WARNING,
# BUG, Oops, KASAN, lockdep, RCU stall, GPF, Call Trace) or rc is missing (VM died,
# timed out: --timeout / $EIPFIX_VM_TIMEOUT, default 600 s); 2 on usage/setup errors.
set -u -o pipefail

TIMEOUT=${EIPFIX_VM_TIMEOUT:-600}
if [ "${1:-}" = --timeout ]; then TIMEOUT=$2; shift 2; fi
if [ $# -lt 2 ]; then
	echo "usage: $0 [--timeout SEC] 6.1|6.12 GUEST_SCRIPT [ARGS...]" >&2
	exit 2
fi
VERSION=$1 SCRIPT=$2
shift 2
if [ "$VERSION" = 6.12 ]; then ACCEL=${EIPFIX_VM_ACCEL:-tcg,thread=single}; else ACCEL=${EIPFIX_VM_ACCEL:-tcg}; fi
ICOUNT=() SMP=2
[ -n "${EIPFIX_VM_ICOUNT:-}" ] && ACCEL=tcg,thread=single SMP=1 ICOUNT=(-icount "shift=$EIPFIX_VM_ICOUNT,sleep=off")

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/kernels.sh
. "$REPO/tests/lib/kernels.sh"
KREL=$(kernel_release "$VERSION") || exit 2
VMLINUZ=$(kernel_vmlinuz "$VERSION") || exit 2
MODDIR=$(kernel_modules_dir "$VERSION") || exit 2
CACHE=$(eipfix_cache "$VERSION") || exit 2
SCRIPT=$(realpath -e "$SCRIPT") || { echo "vm.sh: no such guest script" >&2; exit 2; }
case "$SCRIPT" in
/proc/*|/sys/*|/dev/*|/run/*)
	echo "vm.sh: $SCRIPT is on a path the guest mounts over; put it elsewhere" >&2; exit 2 ;;
esac
for t in qemu-system-x86_64 cpio gzip; do
	command -v $t >/dev/null || { echo "vm.sh: $t missing (run: make deps)" >&2; exit 2; }
done
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	{ echo "vm.sh: $BUSYBOX is not busybox-static (run: make deps)" >&2; exit 2; }

# --- results dir ------------------------------------------------------------
if [ -n "${EIPFIX_RESULTS_DIR:-}" ]; then
	RES=$EIPFIX_RESULTS_DIR
	mkdir -p "$RES" || exit 2
	rm -f "$RES/rc" "$RES/dmesg.txt" "$RES/console.log" "$RES/output.log" "$RES/splat" "$RES/.boot-uptime" "$RES/journal.txt"
else
	mkdir -p "$EIPFIX_CACHE/results"
	RES=$(mktemp -d "$EIPFIX_CACHE/results/$VERSION-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 2
	# Keep the 30 newest result dirs.
	ls -1dt "$EIPFIX_CACHE"/results/*/ 2>/dev/null | tail -n +31 | xargs -r rm -rf
fi
RES=$(realpath "$RES")
chmod 777 "$RES"

# --- initramfs (cached per kernel release and init script) -------------------
# The modules needed to reach the host root, in load order, from modules.dep (built-in
# ones on 6.12 are simply absent). Compressed modules are decompressed for busybox insmod.
boot_modules() {
	awk -v want="9pnet_virtio 9p virtio_pci overlay" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) target[w[i]] = 1 }
		{
			mod = $1; sub(/:$/, "", mod)
			name = mod; sub(/.*\//, "", name); sub(/\.ko(\.[a-z]+)?$/, "", name)
			deps[mod] = ""
			for (i = NF; i >= 2; i--) deps[mod] = deps[mod] " " $i
			byname[name] = mod
		}
		function visit(m,   d, k, i) {
			if (m in seen) return
			seen[m] = 1
			k = split(deps[m], d, " ")
			for (i = 1; i <= k; i++) visit(d[i])
			print m
		}
		END { for (i = 1; i <= n; i++) if (w[i] in byname) visit(byname[w[i]]) }
	' "$MODDIR/modules.dep"
}

read -r -d '' INIT <<'INITEOF'
#!/bin/sh
# stage 1 (busybox, in the initramfs): reach the host root, switch_root into it.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
die() { echo "eipfix-init: $*"; echo o >/proc/sysrq-trigger; sleep 5; poweroff -f; }
for m in $(cat /modules.load); do
	insmod "/modules/$m" || die "insmod $m failed"
done
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower ||
	die "cannot mount the host root (9p)"
mount -t tmpfs -o mode=755 tmpfs /rw || die "tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
	die "cannot mount the overlay"
mkdir -p /newroot/results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /newroot/results ||
	die "cannot mount the results share"
cp /stage2 /newroot/.eipfix-stage2 && chmod 755 /newroot/.eipfix-stage2
umount /proc /sys
umount /dev 2>/dev/null
exec switch_root /newroot /.eipfix-stage2
INITEOF

read -r -d '' STAGE2 <<'STAGE2EOF'
#!/bin/bash
# stage 2 (the host's bash, on the overlay root): a sane system, the guest script, poweroff.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8 SHELL=/bin/bash USER=root LOGNAME=root
# The guest script with its arguments ($1: "run" or "preboot" under systemd), its output
# in /results/output.log; then its rc and the kernel log, and the power off.
run_script() {
	. /results/.env
	export EIPFIX_RESULTS=/results
	cd "${EIPFIX_CWD:-/}" 2>/dev/null || cd /
	set -o pipefail
	if [ -x "$EIPFIX_GUEST_SCRIPT" ]; then run=("$EIPFIX_GUEST_SCRIPT"); else run=(bash "$EIPFIX_GUEST_SCRIPT"); fi
	"${run[@]}" "$@" "${EIPFIX_GUEST_ARGS[@]}" </dev/null 2>&1 | tee -a /results/output.log
}
finish_and_poweroff() {
	cd /
	dmesg >/results/dmesg.txt 2>&1
	echo "$1" >/results/rc
	sync
	echo "eipfix-vm: guest script exited $1; powering off"
	if [ -d /run/systemd/system ]; then
		journalctl -b --no-pager -o short-monotonic >/results/journal.txt 2>&1
		sync
		systemctl poweroff --force --force
	fi
	busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}
# Under systemd (EIPFIX_VM_INIT=systemd), eipfix-test.service starts this with --service.
if [ "${1:-}" = --service ]; then
	run_script run
	finish_and_poweroff $?
fi
# busybox (static, one binary) for the set-up: every exec of a dynamic binary costs
# a lot under TCG with the libraries read over 9p.
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb mkdir -p /dev/pts /dev/shm /run /tmp
$bb mount -t devpts -o gid=5,mode=620 devpts /dev/pts
$bb mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$bb mount -t tmpfs -o mode=755 tmpfs /run
# /tmp stays the overlay's: writable, and the host's /tmp (where a checkout may
# live) shows through.
$bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
$bb mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
$bb mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
$bb mkdir -p /run/netns /run/lock /var/tmp
$bb hostname eipfix-vm
echo eipfix-vm >/etc/hostname
$bb ip link set lo up
read -r up _ </proc/uptime
echo "$up" >/results/.boot-uptime
ulimit -c 0
. /results/.env
echo "eipfix-vm: booted in $up s; running $EIPFIX_GUEST_SCRIPT ${EIPFIX_GUEST_ARGS[*]}"
if [ "${EIPFIX_VM_INIT:-}" != systemd ]; then
	run_script
	finish_and_poweroff $?
fi
# systemd as PID 1: the script's "preboot" part first (what was installed before this
# boot), then systemd starts only eipfix-test.target: basic.target (journald, udev,
# modules-load.d, ...) and eipfix-test.service, which runs the script's "run" part.
run_script preboot || finish_and_poweroff $?
mkdir -p /etc/systemd/system /etc/tmpfiles.d
# Debian's tmpfiles.d/tmp.conf empties /tmp at boot: here that is the host's /tmp
# (where a checkout may live) under the overlay, walked over 9p for minutes.
echo 'd /tmp 1777 root root -' >/etc/tmpfiles.d/tmp.conf
cat >/etc/systemd/system/eipfix-test.target <<UNIT
[Unit]
Description=enclave_ipfix e2e test
Requires=basic.target eipfix-test.service
After=basic.target
AllowIsolate=yes
UNIT
cat >/etc/systemd/system/eipfix-test.service <<UNIT
[Unit]
Description=enclave_ipfix e2e test script
After=basic.target
[Service]
Type=exec
ExecStart=/.eipfix-stage2 --service
StandardOutput=journal
TimeoutStartSec=infinity
UNIT
exec /lib/systemd/systemd --unit=eipfix-test.target --show-status=false
STAGE2EOF

mods=$(boot_modules)
key=$(printf '%s\n%s\n%s\n' "$INIT" "$STAGE2" "$mods" | sha256sum | cut -c1-12)
INITRD=$CACHE/initramfs-$KREL-$key.cpio.gz
if [ ! -s "$INITRD" ]; then
	echo "vm.sh: building initramfs for $KREL" >&2
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
	cp "$BUSYBOX" "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	printf '%s\n' "$INIT" >"$tmp/init"
	printf '%s\n' "$STAGE2" >"$tmp/stage2"
	chmod 755 "$tmp/init" "$tmp/stage2"
	: >"$tmp/modules.load"
	for m in $mods; do
		b=$(basename "$m")
		case "$b" in
		*.ko.xz)  xz -dc "$MODDIR/$m" >"$tmp/modules/${b%.xz}"; b=${b%.xz} ;;
		*.ko.zst) zstd -qdc "$MODDIR/$m" >"$tmp/modules/${b%.zst}"; b=${b%.zst} ;;
		*.ko.gz)  gzip -dc "$MODDIR/$m" >"$tmp/modules/${b%.gz}"; b=${b%.gz} ;;
		*)        cp "$MODDIR/$m" "$tmp/modules/$b" ;;
		esac || { echo "vm.sh: cannot copy $m" >&2; rm -rf "$tmp"; exit 2; }
		echo "$b" >>"$tmp/modules.load"
	done
	(cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$INITRD.tmp" &&
		mv "$INITRD.tmp" "$INITRD"
	rm -rf "$tmp"
	# Drop initramfs images of older init scripts for this release.
	for f in "$CACHE"/initramfs-"$KREL"-*.cpio.gz; do [ "$f" = "$INITRD" ] || rm -f "$f"; done
fi
[ -s "$INITRD" ] || { echo "vm.sh: could not build $INITRD" >&2; exit 2; }

# --- the guest's environment ---------------------------------------------------
{
	printf 'export EIPFIX_GUEST_SCRIPT=%q\n' "$SCRIPT"
	printf 'EIPFIX_GUEST_ARGS=('; printf '%q ' "$@"; printf ')\n'
	printf 'export EIPFIX_VERSION=%q EIPFIX_KREL=%q EIPFIX_CWD=%q EIPFIX_REPO=%q\n' \
		"$VERSION" "$KREL" "$PWD" "$REPO"
	while IFS= read -r v; do
		case "$v" in
		EIPFIX_RESULTS|EIPFIX_RESULTS_DIR|EIPFIX_GUEST_*|EIPFIX_VERSION|EIPFIX_KREL|EIPFIX_CWD|EIPFIX_REPO) ;;
		*) printf 'export %s=%q\n' "$v" "${!v}" ;;
		esac
	done < <(compgen -e | grep '^EIPFIX_')
} >"$RES/.env"

# pin_vcpu0 TIMEOUT_PID HOST_CPU: see $EIPFIX_VM_PIN. QEMU is timeout's child; its
# threads exist a moment after it starts. Threads QEMU starts later (9p workers) are
# created by the main thread and inherit its CPUs.
pin_vcpu0() {
	local q="" vcpu="" t others i
	others=$(seq 0 $(($(nproc) - 1)) | grep -vx "$2" | paste -sd,)
	for i in $(seq 1 100); do
		q=${q:-$(pgrep -P "$1" -x qemu-system-x86)}
		for t in ${q:+/proc/$q/task/*}; do
			case "$(cat "$t/comm" 2>/dev/null)" in "CPU 0/TCG"|"ALL CPUs/TCG") vcpu=${t##*/} ;; esac
		done
		[ -n "$vcpu" ] && break
		sleep 0.1
	done
	if [ -z "$vcpu" ] || [ -z "$others" ]; then
		echo "vm.sh: EIPFIX_VM_PIN: no vCPU thread found or one host CPU only: not pinned" >&2
		return 0
	fi
	taskset -a -p -c "$others" "$q" >/dev/null && taskset -p -c "$2" "$vcpu" >/dev/null &&
		echo "vm.sh: vCPU 0 (thread $vcpu) on host CPU $2, QEMU's other threads on $others" >&2
}

# --- boot ----------------------------------------------------------------------
: >"$RES/output.log"
echo "vm.sh: booting $KREL ($ACCEL${ICOUNT:+ ${ICOUNT[*]}}, timeout ${TIMEOUT}s)${EIPFIX_VM_APPEND:+ with $EIPFIX_VM_APPEND}, results in $RES" >&2
start=$(date +%s.%N)
timeout -s KILL "$TIMEOUT" qemu-system-x86_64 \
	-accel "$ACCEL" "${ICOUNT[@]}" -m 1024 -smp "$SMP" -nographic -nic none -no-reboot -name eipfix,debug-threads=on \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=ttyS0 panic=-1 rdinit=/init net.ifnames=0 tsc=reliable${EIPFIX_VM_APPEND:+ $EIPFIX_VM_APPEND}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$RES,mount_tag=results,security_model=none,multidevs=remap" \
	</dev/null >"$RES/console.log" 2>&1 &
qpid=$!
trap 'kill -KILL $qpid 2>/dev/null; exit 130' INT TERM
[ -n "${EIPFIX_VM_PIN:-}" ] && pin_vcpu0 "$qpid" "$EIPFIX_VM_PIN"
# Show the guest script's output live.
tail -n +1 -F --pid=$qpid "$RES/output.log" 2>/dev/null &
tpid=$!
{ wait $qpid; } 2>/dev/null
qrc=$?
trap - INT TERM
wait $tpid 2>/dev/null
secs=$(echo "$(date +%s.%N) - $start" | bc)
boot=$(cat "$RES/.boot-uptime" 2>/dev/null || echo '?')

status=0
if [ -f "$RES/rc" ]; then
	rc=$(cat "$RES/rc")
	[ "$rc" -eq 0 ] 2>/dev/null || { echo "vm.sh: guest script failed (rc=$rc)" >&2; status=${rc:-1}; }
else
	if [ "$qrc" -eq 137 ]; then
		echo "vm.sh: TIMEOUT after ${TIMEOUT}s: the VM did not finish" >&2
	else
		echo "vm.sh: the VM died without a result (qemu exit $qrc)" >&2
	fi
	status=1
fi
# Splats: dmesg from the guest if it got that far, else the console.
splat_re='WARNING:|BUG:|Oops|KASAN|possible circular locking|possible recursive locking|RCU stall|rcu_sched self-detected stall|general protection fault|Call Trace:|Kernel panic|UBSAN:|kernel BUG'
src=$RES/dmesg.txt
[ -s "$src" ] || src=$RES/console.log
if grep -qE "$splat_re" "$src"; then
	echo "vm.sh: KERNEL SPLAT in the guest ($src):" >&2
	grep -nE -m 20 "$splat_re" "$src" | sed 's/^/    /' >&2
	[ "$status" -eq 0 ] && status=1
	touch "$RES/splat"
fi
[ "$status" -gt 255 ] && status=1
echo "vm.sh: $KREL: guest booted in ${boot} s, VM ran $(printf '%.1f' "$secs") s, exit $status; artefacts: $RES (console.log output.log dmesg.txt rc)" >&2
exit "$status"
