"""Runs `fit_vs_loop.py` variants in turn, each in its own process, and compares them pair by pair.

    python benchmarks/pair_runs.py [--record FILE.jsonl] ROUNDS "COMMON ARGS" "VARIANT A" "VARIANT B" ...

runs A B ... A B ... ROUNDS times; prints every run (images/s, cores busy, last logs, 1-minute load) and,
per variant, the median images/s and the median of the paired ratios variant / A (pairing keeps the ratio
meaningful when the machine's speed drifts). `--record` appends every run to a JSON-lines file (with its
round, arguments and the load), which `speed_tables.py` turns into the tables of docs/benchmarks.md. Example:

    python benchmarks/pair_runs.py 5 "--plugin dcgan --image-size 32 --channels 3 --precision float32" \\
        "--side loop" "--side ganzoo" "--side keras_io"
"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
#: A run taking longer than this is stopped and counted as failed (a hung process would stall every later one).
RUN_TIMEOUT_S = 900


def main():
    argv, record = sys.argv[1:], None
    if argv[0] == "--record":
        record, argv = argv[1], argv[2:]
    rounds, common, variants = int(argv[0]), argv[1], argv[2:]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.path.dirname(HERE),
                                                                    os.environ.get("PYTHONPATH")])))
    runs = {v: [] for v in variants}
    session = time.strftime("%Y-%m-%dT%H:%M:%S")  # pairs are made within one invocation
    for r in range(rounds):
        for v in variants:
            command = [sys.executable, os.path.join(HERE, "fit_vs_loop.py"), *common.split(), *v.split()]
            try:
                done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                done = subprocess.CompletedProcess(command, "timeout", "", f"stopped after {RUN_TIMEOUT_S} s")
            lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
            result = json.loads(lines[0][7:]) if lines else None
            runs[v].append(result)
            if record:
                with open(record, "a") as f:
                    f.write(json.dumps({"session": session, "round": r, "common": common, "variant": v, "result": result,
                                        "load": os.getloadavg()[0]}) + "\n")
            if result is None:
                why = (done.stderr.strip().splitlines() or ["no output"])[-1]
                print(f"r{r} {v}: FAILED (exit {done.returncode}: {why})", flush=True)
                continue
            print(f"r{r} {v:45s} {result['images_per_s']:8.1f} img/s  cores {result['cores']:.2f}  "
                  f"logs {result['logs']}  load {os.getloadavg()[0]:.2f}", flush=True)
    base = variants[0]
    for v in variants:
        speeds = [x["images_per_s"] for x in runs[v] if x]
        ratios = [a["images_per_s"] / b["images_per_s"] for a, b in zip(runs[v], runs[base]) if a and b]
        if speeds:
            ratio = f"{statistics.median(ratios):.3f}" if ratios else "n/a"
            print(f"{v:45s} median {statistics.median(speeds):8.1f} img/s (min {min(speeds):.1f}, max "
                  f"{max(speeds):.1f})  ratio to [{base}] {ratio}", flush=True)


if __name__ == "__main__":
    main()
