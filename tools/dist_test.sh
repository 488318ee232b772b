#!/usr/bin/env bash
# Test a checkpoint with N processes (see dist_train.sh for NNODES, NODE_RANK, MASTER_ADDR, PORT
# and the CPU thread sizing).
#
#   tools/dist_test.sh CONFIG CHECKPOINT N [tools/test.py args...]
set -euo pipefail

if [ "$#" -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT NUM_PROCESSES [tools/test.py args...]" >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
shift 3
exec "$(dirname "$0")/torchrun.sh" "$NPROC" "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" \
    --launcher pytorch "$@"
