#!/usr/bin/env bash
# Shared launcher of slurm_train.sh and slurm_test.sh: one srun task per process.
#
#   tools/srun.sh PARTITION JOB_NAME SCRIPT [args...]
#
# Environment: PYTHON (python), TASKS (processes in all, default 8), TASKS_PER_NODE (8),
# GPUS_PER_NODE (TASKS_PER_NODE; 0 on CPU-only nodes: gloo, no --gres), CPUS_PER_TASK (5, also
# the threads per process on CPU-only nodes), PORT (master port, 29500), SRUN_ARGS (extra srun
# options). Each task derives RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR from SLURM's
# variables (tools/train.py --launcher slurm).
set -euo pipefail

PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
shift 3
PYTHON=${PYTHON:-python}
TASKS=${TASKS:-8}
TASKS_PER_NODE=${TASKS_PER_NODE:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$TASKS_PER_NODE}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-}
export MASTER_PORT=${PORT:-29500}
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)${PYTHONPATH:+:$PYTHONPATH}"

GRES=()
if [ "$GPUS_PER_NODE" -gt 0 ]; then
    GRES=(--gres="gpu:$GPUS_PER_NODE")
else
    export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$CPUS_PER_TASK}
fi

# shellcheck disable=SC2086  # SRUN_ARGS holds several options
exec srun -p "$PARTITION" --job-name="$JOB_NAME" "${GRES[@]}" \
    --ntasks="$TASKS" --ntasks-per-node="$TASKS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 $SRUN_ARGS \
    "$PYTHON" -u "$SCRIPT" "$@" --launcher slurm
