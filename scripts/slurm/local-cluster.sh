#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm integration test and `make reproduce-slurm` where no
# cluster exists. Everything lives in one directory: its own munge key and socket, slurm.conf for localhost, state,
# spool, logs and pid files; nothing under /etc is changed and the system's munge/slurm services are not touched.
#
#   scripts/slurm/local-cluster.sh start DIR   configure and start munged, slurmctld and slurmd (as root); prints
#                                             `export SLURM_CONF=DIR/slurm.conf`, which sbatch/squeue need
#   scripts/slurm/local-cluster.sh stop DIR    stop the daemons started in DIR (by their pid files) and wait for them
#
# Needs Debian's slurm-wlm and munge (`scripts/setup.sh slurm`). Exit 1 when a daemon does not come up, with its log.
set -euo pipefail

cmd="${1:-}"; dir="${2:-}"
[[ "$cmd" == start || "$cmd" == stop ]] && [[ -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"
say() { echo "local-cluster: $*" >&2; }
die() { echo "local-cluster: error: $*" >&2; exit 1; }

stop_pid() { # stop_pid FILE NAME: TERM the pid in FILE, wait up to 10 s, then KILL
  local f="$1" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { say "$2 (pid $pid) did not stop; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

if [[ "$cmd" == stop ]]; then
  # Jobs first (slurmd's children), then the daemons in reverse order of their start.
  if [[ -f "$dir/slurm.conf" ]] && [[ -f "$dir/slurmctld.pid" ]]; then SLURM_CONF="$dir/slurm.conf" scancel --full --quiet --user=root 2>/dev/null || true; fi
  stop_pid "$dir/slurmd.pid" slurmd
  stop_pid "$dir/slurmctld.pid" slurmctld
  stop_pid "$dir/munged.pid" munged
  say "stopped the cluster in $dir"
  exit 0
fi

for t in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$t" >/dev/null || die "$t not found; install Debian's slurm-wlm and munge (scripts/setup.sh slurm)"
done
[[ "$(id -u)" -eq 0 ]] || die "must run as root (slurmd starts jobs as their submitting user)"

host="$(hostname -s)"
cpus="$(nproc)"
# Ports of our own (not slurm's defaults 6817/6818), so a system Slurm or a second test cluster does not collide.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port="$(free_port)"; slurmd_port="$(free_port)"
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"

[[ -f "$dir/munge/munge.key" ]] || mungekey --create --keyfile="$dir/munge/munge.key" --bits=1024
chmod 600 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed" || die "munged did not start: $(tail -n 5 "$dir/munged.log" 2>/dev/null)"

cat >"$dir/slurm.conf" <<CONF
# Written by scripts/slurm/local-cluster.sh: one node ($host, $cpus CPUs), no cgroups, no accounting.
ClusterName=mnistclaims
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=600
KillWait=5
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -c -f "$SLURM_CONF" || die "slurmctld did not start: $(tail -n 5 "$dir/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" || die "slurmd did not start: $(tail -n 5 "$dir/slurmd.log" 2>/dev/null)"

# Up when the node is idle (slurmd registered with slurmctld).
for _ in $(seq 150); do
  state="$(sinfo --noheader --nodes="$host" --format=%T 2>/dev/null || true)"
  [[ "$state" == idle* ]] && { say "cluster up in $dir: node $host ($cpus CPUs) $state"; echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.2
done
die "node $host did not become idle within 30 s (state '${state:-none}'); slurmctld.log: $(tail -n 3 "$dir/slurmctld.log" 2>/dev/null | tr '\n' ' ') slurmd.log: $(tail -n 3 "$dir/slurmd.log" 2>/dev/null | tr '\n' ' ')"
