#!/usr/bin/env bash
# Submits the sharded main job to Slurm and waits for it (`make reproduce-slurm SHARDS=N`): a job array of N shards
# (scripts/slurm/shard.sbatch, one `harness reproduce --shard K/N` per task) and a merge-and-judge job that depends on
# the whole array (scripts/slurm/merge.sbatch). Prints the merge job's log and exits with its status.
#
#   SHARDS=N [SELECTION="--seeds 20"] [SHARD_ROOT=.cache/slurm/shards-N] [CACHE=...] [OUT=reports] [REPORT=1]
#   [CPUS_PER_SHARD=1] [SBATCH_ARGS="--partition=..."] [LOCAL_CLUSTER=1] scripts/slurm/submit.sh
#
# LOCAL_CLUSTER=1 starts a single-node cluster on this machine first (scripts/slurm/local-cluster.sh, as root, in
# SHARD_ROOT/cluster) and stops it at the end, for a machine without Slurm of its own.
#
# SHARD_ROOT must be on a file system every node sees. It is stable by default, so submitting again after a failure
# reruns every shard and each reuses the runs it finished. The environment (PATH, DOTNET_ROOT, MNIST_CLAIMS_DATA, ...)
# goes with the jobs (sbatch's default --export=ALL).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${SHARDS:?set SHARDS=N, the number of shards}"
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || { echo "submit: SHARDS: expected a positive integer, got '$SHARDS'" >&2; exit 2; }
if [[ "${LOCAL_CLUSTER:-0}" == 1 ]]; then
  cluster="${SHARD_ROOT:-$ROOT/.cache/slurm/shards-$SHARDS}/cluster"
  trap 'bash "$ROOT/scripts/slurm/local-cluster.sh" stop "$cluster"' EXIT
  eval "$(bash "$ROOT/scripts/slurm/local-cluster.sh" start "$cluster")"
fi
command -v sbatch >/dev/null || { echo "submit: sbatch not found: no Slurm client here (scripts/slurm/local-cluster.sh starts a single-node cluster)" >&2; exit 1; }
export SHARDS SELECTION="${SELECTION:-}"
export SHARD_ROOT="$(mkdir -p "${SHARD_ROOT:-$ROOT/.cache/slurm/shards-$SHARDS}" && cd "${SHARD_ROOT:-$ROOT/.cache/slurm/shards-$SHARDS}" && pwd)"
export CACHE="${CACHE:-$SHARD_ROOT/merged}" OUT="${OUT:-$ROOT/reports}" REPORT="${REPORT:-1}"
export HARNESS="${HARNESS:-dotnet $ROOT/src/Harness/bin/${CONFIG:-Release}/net10.0/harness.dll}"
mkdir -p "$SHARD_ROOT/logs"
read -r -a extra <<<"${SBATCH_ARGS:-}"
start=$(date +%s)
array=$(sbatch --parsable --chdir="$ROOT" --array="0-$((SHARDS - 1))" --cpus-per-task="${CPUS_PER_SHARD:-1}" \
  --output="$SHARD_ROOT/logs/shard-%a.log" ${extra[@]+"${extra[@]}"} "$ROOT/scripts/slurm/shard.sbatch")
array="${array%%;*}"
echo "submit: shards: job array $array (0-$((SHARDS - 1))), logs in $SHARD_ROOT/logs/"
status=0
merge=$(sbatch --parsable --wait --chdir="$ROOT" --dependency="afterany:$array" --output="$SHARD_ROOT/logs/merge.log" \
  ${extra[@]+"${extra[@]}"} "$ROOT/scripts/slurm/merge.sbatch") || status=$?
echo "submit: merge-and-judge: job ${merge%%;*}, exit $status, wall time $(( $(date +%s) - start )) s; its log:"
cat "$SHARD_ROOT/logs/merge.log" 2>/dev/null || true
exit "$status"
