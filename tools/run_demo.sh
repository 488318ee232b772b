#!/usr/bin/env bash
# What `make demo` runs (PYTHON=<venv python> bash tools/run_demo.sh), on a fresh clone:
#
#   1. the synthetic data set (tools/data/make_synthetic.py; kept when it already exists),
#      loaded through PoseDataset with a printed summary (tools/data/summarize.py)
#   2. training with 2 processes: tools/dist_train.sh configs/c3d_keypoint.py 2
#      (gloo on this CPU, NCCL on GPUs), into work_dirs/demo/c3d_keypoint (cleared first),
#      with 32 / NPROC samples per process: the total batch the config's lr is tuned for
#   3. testing the final checkpoint (the best one is chosen on xsub_val, the test split itself):
#      top-k, mean class accuracy, confusion matrix
#   4. the 100-sample overfitting sanity check
#   5. the training curves PNG (also written at the end of training)
#   6. an overlay video of a validation sample with its predictions (tools/visualize.py)
#
# and prints where everything is. Environment: PYTHON (default python), CONFIG
# (configs/c3d_keypoint.py), NPROC (2), DEMO_DIR (work_dirs/demo).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python}
CONFIG=${CONFIG:-configs/c3d_keypoint.py}
NPROC=${NPROC:-2}
DEMO_DIR=${DEMO_DIR:-work_dirs/demo}
NAME=$(basename "$CONFIG" .py)
WORK_DIR=$DEMO_DIR/$NAME
SANITY_DIR=$DEMO_DIR/sanity_check/$NAME
DATA=work_dirs/data/synthetic_2d.pkl
START=$(date +%s)
export PYTHON

step() {
    echo
    echo "=== [$(( $(date +%s) - START )) s] $*"
}

step "1/6 synthetic data: $DATA"
if [ -f "$DATA" ]; then
    echo "$DATA exists; keeping it (delete it to regenerate)"
else
    "$PYTHON" tools/data/make_synthetic.py --out "$DATA"
fi
"$PYTHON" tools/data/summarize.py "$DATA" --label-map "${DATA%.pkl}_label_map.txt"

step "2/6 training: tools/dist_train.sh $CONFIG $NPROC"
rm -rf "$WORK_DIR"
bash tools/dist_train.sh "$CONFIG" "$NPROC" --work-dir "$WORK_DIR" --seed 0 \
    --cfg-options train_dataloader.batch_size=$(( 32 / NPROC ))
FINAL=$(cat "$WORK_DIR/last_checkpoint")

step "3/6 testing the final checkpoint $FINAL"
"$PYTHON" tools/test.py "$CONFIG" "$FINAL" --work-dir "$WORK_DIR" \
    --eval top_k_accuracy mean_class_accuracy confusion_matrix \
    --out "$WORK_DIR/test_results.pkl"

step "4/6 sanity check: overfit 100 training samples"
SANITY=passed
"$PYTHON" tools/sanity_check.py "$CONFIG" --num-samples 100 --work-dir "$SANITY_DIR" \
    || SANITY=FAILED

step "5/6 training curves"
"$PYTHON" tools/plot_curves.py "$WORK_DIR"

step "6/6 overlay video: validation sample 0 with its top-5 predictions"
OVERLAY=$WORK_DIR/overlay_xsub_val_0.mp4
"$PYTHON" tools/visualize.py "$DATA" --split xsub_val --index 0 \
    --results "$WORK_DIR/test_results.pkl" --label-map "${DATA%.pkl}_label_map.txt" \
    --out "$OVERLAY" --max-side 960

TOP1=$("$PYTHON" - "$WORK_DIR/metrics.csv" <<'PY'
import sys

import pandas as pd

value = pd.read_csv(sys.argv[1], index_col='metric')['value']
print(f"{100 * value['acc/top1']:.1f}% top-1, {100 * value['acc/mean_class']:.1f}% mean class")
PY
)
CLASSES=$(wc -l < "${DATA%.pkl}_label_map.txt")

echo
echo "=== done in $(( $(date +%s) - START )) s"
echo "test accuracy (xsub_val, $CLASSES classes, chance $(( 100 / CLASSES ))%): $TOP1"
echo "data:              $DATA (+ ${DATA%.pkl}_label_map.txt)"
echo "work dir:          $WORK_DIR"
echo "  config:          $WORK_DIR/$NAME.py (of the checkpoints; each run's in <timestamp>/)"
echo "  checkpoints:     $WORK_DIR/epoch_*.pth (tested: $FINAL), best_*.pth"
echo "  logs:            $WORK_DIR/<timestamp>/<timestamp>.log (environment, config, every logged iteration) and vis_data/<timestamp>.json"
echo "  TensorBoard:     tensorboard --logdir $WORK_DIR"
echo "  curves:          $WORK_DIR/curves.png"
echo "  test metrics:    $WORK_DIR/metrics.csv"
echo "  confusion:       $WORK_DIR/confusion_matrix.png, confusion_matrix.csv, confusion_matrix_normalized.csv"
echo "  test results:    $WORK_DIR/test_results.pkl (frame_dir, label, scores per sample)"
echo "sanity check:      $SANITY, $SANITY_DIR/curves.png"
echo "overlay video:     $OVERLAY (skeleton, top-5, truth of one validation sample)"
if [ "$SANITY" != passed ]; then
    echo "the sanity check failed: the model cannot overfit 100 training samples" >&2
    exit 1
fi
