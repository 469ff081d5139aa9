#!/bin/sh
# A real single-node Slurm, started by this test on localhost: munged (as user munge),
# slurmctld and slurmd with a configuration, state, sockets and ports of their own in a
# temporary directory (nothing under /etc is changed). It submits a small sweep with
# scripts/slurm/submit.sh -- a 4-task job array and the merge job that depends on it --,
# waits for both, and compares the merged table with the same sweep run unsharded: the same
# rows with the same numbers (every column but `seconds`), and the same references.
# The daemons are stopped by their process ids, never by name.
#
# Usage: test_slurm.sh DNCERT_BINARY SOURCE_DIR
# Exit status: 0 passed, 1 failed, 77 skipped (CTest's SKIP_RETURN_CODE) when the daemons
# cannot run here: not root, Slurm or munge not installed (scripts/install-deps.sh
# --with-slurm), no free ports, or the daemons do not come up (the reason and their logs
# are printed). Set DNCERT_SLURM_KEEP=1 to keep the temporary directory.
set -u
bin="$1"
src="$2"
say() { echo "test_slurm: $*"; }
skip() { say "SKIPPED: $*"; exit 77; }
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root (slurmd runs jobs as their users; munged is started as user munge)"
for exe in /usr/sbin/munged /usr/bin/munge /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch /usr/bin/squeue \
           /usr/bin/sinfo /usr/bin/scontrol /usr/bin/setpriv; do
    [ -x "$exe" ] || skip "$exe is not installed (scripts/install-deps.sh --with-slurm installs slurm-wlm and munge)"
done
id munge >/dev/null 2>&1 || skip "no user munge (the munge package creates it)"
[ -r /etc/munge/munge.key ] || skip "no /etc/munge/munge.key (the munge package creates it)"

# A Slurm job started from inside another Slurm job would inherit its variables.
for v in $(env | sed -n 's/^\(SLURM_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done

tmp=$(mktemp -d /tmp/dncert-slurm.XXXXXX) || fail "mktemp"
chmod 755 "$tmp"
pids=""
cleanup() {
    # stop what this test started, by process id, newest first (slurmd, slurmctld, munged)
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    done
    if [ "${DNCERT_SLURM_KEEP:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
started() { pids="$1 $pids"; }
logs() { for f in "$@"; do [ -s "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }; done; }

# A TCP port nobody listens on (IPv4 or IPv6), from 16817 on.
port_free() {
    hex=$(printf ':%04X ' "$1")
    ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" {print $2" "}' | grep -q "$hex"
}
ctld_port=""
p=16817
while [ $p -lt 16900 ] && [ -z "$ctld_port" ]; do
    port_free $p && port_free $((p + 1)) && ctld_port=$p
    p=$((p + 2))
done
[ -n "$ctld_port" ] || skip "no two free TCP ports in 16817..16900"
slurmd_port=$((ctld_port + 1))

# ---- munged, as its user, with its own socket ----
mkdir -p "$tmp/munge"
chown munge:munge "$tmp/munge"
chmod 755 "$tmp/munge"   # munged needs the socket's directory searchable by all
sock="$tmp/munge/munge.socket"
setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground --socket="$sock" \
    --key-file=/etc/munge/munge.key --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
    --seed-file="$tmp/munge/munged.seed" >"$tmp/munge/stdout" 2>&1 &
started $!
i=0
until munge -S "$sock" -n 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 50 ] || { logs "$tmp/munge/stdout" "$tmp/munge/munged.log"; skip "munged did not start"; }
    sleep 0.2
done
say "munged is up (pid $(echo $pids | cut -d' ' -f1), socket $sock)"

# ---- slurm.conf: this host only, at 127.0.0.1 ----
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
mkdir -p "$tmp/etc" "$tmp/state" "$tmp/spool" "$tmp/log"
cat >"$tmp/etc/slurm.conf" <<CONF
ClusterName=dncerttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SwitchType=switch/none
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
printf 'CgroupPlugin=cgroup/v1\nIgnoreSystemd=yes\n' >"$tmp/etc/cgroup.conf"
export SLURM_CONF="$tmp/etc/slurm.conf"

/usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
started $!
/usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp/log/slurmd.out" 2>&1 &
started $!
i=0
until [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; do
    i=$((i + 1))
    if [ $i -ge 150 ]; then
        logs "$tmp/log/slurmctld.out" "$tmp/log/slurmctld.log" "$tmp/log/slurmd.out" "$tmp/log/slurmd.log"
        skip "the node did not become idle within 30 s (sinfo: $(sinfo -h -o '%t %E' 2>&1))"
    fi
    sleep 0.2
done
say "slurmctld and slurmd are up: $(sinfo -h -o '%P %D node %N, %c CPUs, state %t')"

# ---- the sweep: unsharded, then through Slurm ----
set -- --K 2,3 --n 2 --L 2 --width 3,4 --lambda 0.004,1/500 --seeds 1-2 --steps 200 --log-every 50
"$bin" sweep "$@" --jobs 2 --quiet --out "$tmp/unsharded" >"$tmp/unsharded.out" 2>&1 \
    || { cat "$tmp/unsharded.out"; fail "the unsharded sweep failed"; }
ids=$(DNCERT="$bin" "$src/scripts/slurm/submit.sh" --shards 4 --time 10 "$tmp/sweep" "$@") \
    || fail "scripts/slurm/submit.sh failed"
array=${ids% *}
merge=${ids#* }
say "submitted array job $array (4 tasks) and merge job $merge (afterok:$array)"
i=0
while [ -n "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { squeue; logs "$tmp/log/slurmctld.log"; fail "the jobs did not finish within 5 minutes"; }
    sleep 0.5
done
# every task of the array and the merge job: COMPLETED with exit code 0
scontrol -o show job "$array" >"$tmp/jobs.txt" 2>&1
scontrol -o show job "$merge" >>"$tmp/jobs.txt" 2>&1
sed -n 's/^JobId=\([0-9]*\) .*JobName=\([^ ]*\) .*JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\).*/job \1 \2: \3, exit code \4/p' \
    "$tmp/jobs.txt" | sort | sed 's/^/test_slurm: /'
done=$(grep -c 'JobState=COMPLETED .*ExitCode=0:0' "$tmp/jobs.txt")
[ "$done" -eq 5 ] || { cat "$tmp/jobs.txt" "$tmp/sweep/slurm/"*.out; fail "expected 5 completed jobs (4 shards and the merge), got $done"; }
for f in "$tmp/sweep/slurm/"*.out; do echo "--- $(basename "$f")"; cat "$f"; done

# ---- the merged table is the unsharded one ----
noseconds() { sed 's/,[^,]*$//' "$1"; }
noseconds "$tmp/unsharded/results.csv" >"$tmp/a.csv"
noseconds "$tmp/sweep/merged/results.csv" >"$tmp/m.csv"
rows=$(($(wc -l <"$tmp/a.csv") - 1))
[ "$rows" -eq 16 ] || fail "the unsharded table has $rows rows, expected 16"
cmp -s "$tmp/a.csv" "$tmp/m.csv" || { diff "$tmp/a.csv" "$tmp/m.csv"; fail "the merged results.csv differs from the unsharded one"; }
cmp -s "$tmp/unsharded/references.csv" "$tmp/sweep/merged/references.csv" \
    || fail "the merged references.csv differs from the unsharded one"
grep -q '"merged": *true' "$tmp/sweep/merged/sweep.json" || fail "merged/sweep.json does not say merged"
echo "--- merged results.csv (16 runs; seconds left out)"
cat "$tmp/m.csv"
say "passed: the 4 shards run by Slurm merge into the unsharded table ($rows rows, every column but seconds identical)"
exit 0
