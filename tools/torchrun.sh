#!/usr/bin/env bash
# Shared launcher of dist_train.sh and dist_test.sh: torchrun with N processes per node (through
# pyskl_lite.apis.launch: a failed job prints one error line, not one per rank plus torchrun's
# report; --debug or PYSKL_DEBUG=1 shows everything).
#
#   tools/torchrun.sh N SCRIPT [args...]
#
# Environment: PYTHON (interpreter, default python), NNODES (1), NODE_RANK (0), MASTER_ADDR
# (127.0.0.1), PORT (a free port on a single node, else 29500), OMP_NUM_THREADS (default on a
# machine without CUDA GPUs: max(1, cores / N); with GPUs: 1, torchrun's default), and
# MKL_NUM_THREADS (default OMP_NUM_THREADS). Setting both here keeps torchrun and mmengine from
# warning, once per process, that they set them.
set -euo pipefail

NPROC=$1
SCRIPT=$2
shift 2
PYTHON=${PYTHON:-python}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}

if [ -z "${PORT:-}" ]; then
    if [ "$NNODES" -eq 1 ]; then
        PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
    else
        PORT=29500
    fi
fi

if [ -z "${OMP_NUM_THREADS:-}" ]; then
    if ! "$PYTHON" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
        CORES=$("$PYTHON" -c 'import os; print(len(os.sched_getaffinity(0)))')
        OMP_NUM_THREADS=$(( CORES / NPROC ))
        if [ "$OMP_NUM_THREADS" -lt 1 ]; then
            OMP_NUM_THREADS=1
        fi
    else
        OMP_NUM_THREADS=1
    fi
    export OMP_NUM_THREADS
fi
export MKL_NUM_THREADS=${MKL_NUM_THREADS:-$OMP_NUM_THREADS}

export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m pyskl_lite.apis.launch \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --nproc_per_node="$NPROC" \
    --master_addr="$MASTER_ADDR" --master_port="$PORT" \
    "$SCRIPT" "$@"
