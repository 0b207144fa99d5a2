#!/usr/bin/env bash
# The per-plugin speed tables of docs/benchmarks.md: for each plugin, alternating
# processes (one side each) of the hand-written loop and ganzoo in float32 and
# mixed_bfloat16, the hand-written train_step through fit() in mixed_bfloat16, then ganzoo on 2
# replicas, with 4 steps per execution (the small models), reading the real pipeline (dcgan,
# cyclegan, srgan) and with XLA.
#
#   bash benchmarks/speed_tables.sh OUT.jsonl [ROUNDS] [PLUGIN ...]
#   python benchmarks/speed_tables.py OUT.jsonl
#
# Run it on an otherwise idle machine (each run records the load average).
set -euo pipefail
out=${1:?usage: speed_tables.sh OUT.jsonl [ROUNDS] [PLUGIN ...]}
rounds=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
plugins=${*:-vanilla dcgan cgan text2image cyclegan srgan srgan-adversarial stylegan stylegan2}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python}

declare -A steps=(
  [vanilla]="--steps 400 --warmup 40" [dcgan]="--steps 160 --warmup 16" [cgan]="--steps 160 --warmup 16"
  [text2image]="--steps 48 --warmup 8" [stylegan]="--steps 64 --warmup 8" [stylegan2]="--steps 64 --warmup 16"
  [cyclegan]="--steps 16 --warmup 4" [srgan]="--steps 16 --warmup 4" [srgan-adversarial]="--steps 12 --warmup 4"
)
# Options a plugin needs here: SRGAN's VGG19 weights cannot be downloaded offline.
# srgan-adversarial: SRGAN's second stage from the first step (the cpu preset pretrains 1,000 steps first).
declare -A extra=([srgan]="--set content_loss=mse"
                  [srgan-adversarial]="--set content_loss=mse --set pretrain_steps=0")

for plugin in $plugins; do
  common="--plugin ${plugin%-adversarial} ${steps[$plugin]} ${extra[$plugin]:-}"
  variants=(
    "--side loop --precision float32" "--side ganzoo --precision float32"
    "--side loop --precision mixed_bfloat16" "--side ganzoo --precision mixed_bfloat16"
    "--side keras_io --precision mixed_bfloat16"
    "--side ganzoo --precision mixed_bfloat16 --replicas 2"
  )
  # Steps per execution: where a step is short enough for per-step costs to show.
  case $plugin in vanilla|dcgan|cgan) variants+=("--side ganzoo --precision mixed_bfloat16 --steps-per-execution 4");; esac
  case $plugin in dcgan|cyclegan|srgan|srgan-adversarial) variants+=("--side ganzoo --precision mixed_bfloat16 --data pipeline");; esac
  "$python" "$here/pair_runs.py" --record "$out" "$rounds" "$common" "${variants[@]}"
  # XLA: once per plugin (compiling takes minutes for the big ones; it was never faster on CPU).
  "$python" "$here/pair_runs.py" --record "$out" 1 "$common" "--side loop --precision mixed_bfloat16" \
      "--side ganzoo --precision mixed_bfloat16 --jit 1"
done
