#!/usr/bin/env bash
# Train on a SLURM cluster, one task per GPU (or per CPU process with GPUS_PER_NODE=0).
#
#   TASKS=16 TASKS_PER_NODE=8 tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py args...]
#
# See tools/srun.sh for TASKS, TASKS_PER_NODE, GPUS_PER_NODE, CPUS_PER_TASK, PORT, SRUN_ARGS.
set -euo pipefail
if [ "$#" -lt 3 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG [tools/train.py args...]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
shift 2
exec bash "$(dirname "$0")/srun.sh" "$PARTITION" "$JOB_NAME" "$(dirname "$0")/train.py" "$@"
