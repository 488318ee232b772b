#!/usr/bin/env bash
# Train with N processes on this machine (or on several: NNODES, NODE_RANK, MASTER_ADDR, PORT).
#
#   tools/dist_train.sh CONFIG N [tools/train.py args...]
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 PORT=29500 tools/dist_train.sh CONFIG 8 ...
#
# torchrun starts N processes per node; each joins the process group with NCCL when CUDA GPUs
# are visible and with gloo otherwise (the same command works on a CPU-only laptop). On CPU each
# process gets max(1, cores / N) threads (OMP_NUM_THREADS, unless already set), so the processes
# do not oversubscribe the cores. A free port is picked on a single node when PORT is unset.
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: $0 CONFIG NUM_PROCESSES [tools/train.py args...]" >&2
    exit 2
fi
CONFIG=$1
NPROC=$2
shift 2
SCRIPT=${SCRIPT:-$(dirname "$0")/train.py}
exec "$(dirname "$0")/torchrun.sh" "$NPROC" "$SCRIPT" "$CONFIG" --launcher pytorch "$@"
