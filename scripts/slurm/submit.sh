#!/bin/sh
# Submits a dncert sweep to Slurm as a job array of N shards and a job that merges them
# when every shard has succeeded (--dependency=afterok). docs/sweeps.md, "Slurm".
#
#   scripts/slurm/submit.sh [--shards N] [--cpus C] [--time T] OUT [dncert sweep options...]
#
#   --shards N   array tasks, one shard each (default 4)
#   --cpus C     CPUs per task, the shard's --jobs (default 1)
#   --time T     time limit of each task (sbatch --time; default: the partition's)
#
# The sweep options are the grid, problem and training options of `dncert sweep` (not
# --jobs, --shard or --out). Shard I goes to OUT/shard-I, the merged table to OUT/merged (results.csv, ...), Slurm's
# output to OUT/slurm/. Other sbatch settings come from sbatch's input environment variables
# (SBATCH_PARTITION, SBATCH_ACCOUNT, ...). The dncert binary is $DNCERT, default this
# checkout's build/dncert (never PATH). Prints the two job ids on stdout:
# "ARRAY_ID MERGE_ID".
set -eu
usage() { echo "usage: $0 [--shards N] [--cpus C] [--time T] OUT [dncert sweep options...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shards=4
cpus=1
time=
while [ $# -gt 0 ]; do
    case "$1" in
        --shards) [ $# -ge 2 ] || usage; shards="$2"; shift 2 ;;
        --cpus) [ $# -ge 2 ] || usage; cpus="$2"; shift 2 ;;
        --time) [ $# -ge 2 ] || usage; time="$2"; shift 2 ;;
        --help|-h) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || usage
case "$shards" in ''|*[!0-9]*|0) echo "$0: --shards: must be a positive integer (got '$shards')" >&2; exit 2 ;; esac
case "$cpus" in ''|*[!0-9]*|0) echo "$0: --cpus: must be a positive integer (got '$cpus')" >&2; exit 2 ;; esac
dncert="${DNCERT:-$root/build/dncert}"
case "$dncert" in /*) ;; *) dncert="$(pwd)/$dncert" ;; esac
[ -x "$dncert" ] || { echo "$0: no dncert binary at '$dncert' (build it with scripts/build.sh, or set DNCERT)" >&2; exit 2; }
mkdir -p "$1/slurm"
out=$(cd "$1" && pwd)
shift
export DNCERT="$dncert" DNCERT_SHARDS="$shards"
timeopt=${time:+--time=$time}
array=$(sbatch --parsable --export=ALL --array="1-$shards" --cpus-per-task="$cpus" $timeopt \
    --output="$out/slurm/shard-%a.out" "$here/sweep-array.sbatch" "$out" "$@") \
    || { echo "$0: submitting the array failed" >&2; exit 1; }
array=${array%%;*}          # --parsable prints "ID" or "ID;CLUSTER"
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes $timeopt \
    --output="$out/slurm/merge.out" "$here/sweep-merge.sbatch" "$out") \
    || { echo "$0: submitting the merge job failed (the array $array is queued: scancel $array)" >&2; exit 1; }
merge=${merge%%;*}
echo "submit.sh: array job $array ($shards shards into $out/shard-1..$shards), merge job $merge" \
     "(after every shard succeeded, into $out/merged); Slurm output in $out/slurm/" >&2
echo "$array $merge"
