#!/usr/bin/env bash
# Test a checkpoint on a SLURM cluster (see slurm_train.sh).
#
#   tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
set -euo pipefail
if [ "$#" -lt 4 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG CHECKPOINT [tools/test.py args...]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
shift 2
exec bash "$(dirname "$0")/srun.sh" "$PARTITION" "$JOB_NAME" "$(dirname "$0")/test.py" "$@"
