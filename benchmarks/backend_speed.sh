#!/usr/bin/env bash
# Training speed per plugin and Keras backend (issue 18): images/s of ganzoo's `fit()` path and of a
# hand-written step on the same networks and backend (TensorFlow: keras.io's tf.function step,
# hand_written/<plugin>.py; JAX: one jax.jit stateless step; PyTorch: a plain eager torch step;
# hand_written/recipes/, over steps.py's toolkit), each side in its own process, alternating, 2 rounds of pairs per cell;
# the ratio is the median of the paired ratios (speed_tables.py). The ganzoo side calls fit() twice,
# a warm-up fit then the timed one. Plugins in priority order; JAX and PyTorch have hand-written
# steps for dcgan, vanilla, cgan, srgan (either stage), stylegan2 (lazy R1 and path length decided per
# step in Python: on JAX one jit per combination, so --warmup 2 compiles both of R1's before timing),
# stylegan (every growth level), cyclegan and text2image (the GAN stage, after the cpu preset's encoder
# pre-training, which the ganzoo side runs in its warm-up fit).
#
#   bash benchmarks/backend_speed.sh OUT.jsonl [BUDGET_SECONDS] [PLUGIN ...]
#   python benchmarks/speed_tables.py --by-backend OUT.jsonl
#
# PYTHON: the interpreter (default: python); BACKENDS: which (default: "tensorflow jax torch");
# STEPS: the same step options for every cell (a quick trial, e.g. STEPS="--steps 2 --warmup 1").
#
# Sized for about 20 minutes on an idle 2-core CPU: no cell (plugin x backend) starts after
# BUDGET_SECONDS (default 1020: 17 minutes), and a cell takes 1-4 minutes. Prints every run as it goes
# and the table so far after each plugin. Run it on an otherwise idle machine (each run records the
# load average).
set -euo pipefail
out=${1:?usage: backend_speed.sh OUT.jsonl [BUDGET_SECONDS] [PLUGIN ...]}
budget=${2:-1020}
shift $(( $# >= 2 ? 2 : 1 ))
plugins=${*:-dcgan vanilla cgan stylegan2 cyclegan srgan stylegan text2image}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python}
rounds=2

# Timed and warm-up steps per plugin and backend: about 5-10 s of timed steps per process on an idle
# 2-core CPU (PyTorch's eager convolutions are the slowest per step, TensorFlow's the fastest).
declare -A steps=(
  [dcgan/tensorflow]="--steps 48 --warmup 8"  [dcgan/jax]="--steps 16 --warmup 4"  [dcgan/torch]="--steps 48 --warmup 4"
  [vanilla/tensorflow]="--steps 300 --warmup 30" [vanilla/jax]="--steps 300 --warmup 30" [vanilla/torch]="--steps 100 --warmup 10"
  [cgan/tensorflow]="--steps 48 --warmup 8"   [cgan/jax]="--steps 16 --warmup 4"   [cgan/torch]="--steps 48 --warmup 4"
  [text2image/torch]="--steps 32 --warmup 4"
  # Lazy R1 every 16 steps (the cpu preset): 32 timed steps hold two R1 steps, the same share as training.
  [stylegan2/tensorflow]="--steps 32 --warmup 2" [stylegan2/jax]="--steps 32 --warmup 2" [stylegan2/torch]="--steps 32 --warmup 2"
)
default_steps="--steps 8 --warmup 2"
# SRGAN's VGG19 weights cannot be downloaded offline.
declare -A extra=([srgan]="--set content_loss=mse")
# Where a hand-written step exists on the backend: hand_written/<plugin>.py on TensorFlow,
# hand_written/recipes/<plugin>.py on JAX and PyTorch (asked of the files: importing Keras takes seconds).
hand_written() {
  case $2 in
    tensorflow) [[ -f "$here/hand_written/$1.py" ]];;
    *) [[ -f "$here/hand_written/recipes/$1.py" ]];;
  esac
}

for plugin in $plugins; do
  for backend in ${BACKENDS:-tensorflow jax torch}; do
    if (( SECONDS > budget )); then
      echo "== budget of ${budget}s spent: $plugin on $backend and later cells not run"
      break 2
    fi
    common="--plugin $plugin --backend $backend ${STEPS:-${steps[$plugin/$backend]:-$default_steps}} ${extra[$plugin]:-}"
    if hand_written "$plugin" "$backend"; then variants=("--side loop" "--side ganzoo"); else variants=("--side ganzoo"); fi
    echo "== $plugin on $backend (${SECONDS}s so far)"
    "$python" "$here/pair_runs.py" --record "$out" "$rounds" "$common" "${variants[@]}"
  done
  echo "== the table so far"
  "$python" "$here/speed_tables.py" --by-backend "$out"
done
echo "== done in ${SECONDS}s"
"$python" "$here/speed_tables.py" --by-backend "$out"
