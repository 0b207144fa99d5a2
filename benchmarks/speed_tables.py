"""Markdown tables, one per plugin, from the JSON lines that `pair_runs.py --record` writes.

    python benchmarks/speed_tables.py RUNS.jsonl [MORE.jsonl ...]

Per configuration: the median images/s over its runs, the median CPU cores the
runs kept busy, and the median of the paired ratios to the hand-written loop
(`--side loop`) of the same round and precision: pairing keeps the ratio
meaningful when the machine's speed drifts between rounds.
"""

import collections
import json
import statistics
import sys

PRECISION = {"float32": "fp32", "mixed_bfloat16": "bf16"}


def describe(result):
    """A row label for one run's configuration."""
    side = {"loop": "hand-written loop (`tf.function`)", "keras_io": "hand-written `train_step` in `fit()`",
            "ganzoo": "ganzoo (`fit()`, a real run's callbacks)"}[result["side"]]
    if result["side"] != "ganzoo" and result.get("step") == "plugin":
        side += ", plugin's own step"
    extras = [PRECISION[result["precision"]]]
    if result["jit"]:
        extras.append("XLA")
    if result.get("replicas", 1) != 1:
        extras.append(f"{result['replicas']} replicas")
    if result["steps_per_execution"] != 1:
        extras.append(f"{result['steps_per_execution']} steps/execution")
    if result["data"] == "pipeline":
        extras.append("real pipeline")
    return f"{side}, {', '.join(extras)}"


def reference_key(result):
    return result["plugin"], tuple(result.get("set", [])), result["precision"]


def is_reference(result):
    return (result["side"] == "loop" and result.get("step", "hand") == "hand" and not result["jit"]
            and result["steps_per_execution"] == 1 and result["data"] == "memory")


def main(paths):
    records = [json.loads(line) for path in paths for line in open(path) if line.strip()]
    references = {}
    for rec in records:
        result = rec["result"]
        if result and is_reference(result):
            references[(rec.get("session"), rec["common"], rec["round"], *reference_key(result))] = result["images_per_s"]
    rows = collections.defaultdict(lambda: collections.defaultdict(list))
    failed = collections.Counter()
    for rec in records:
        result = rec["result"]
        if result is None:
            failed[(rec["common"], rec["variant"])] += 1
            continue
        name = " ".join([result["plugin"], *(f"`{a}`" for a in result.get("set", []))])
        row = rows[name][describe(result)]
        row.append(rec)
    for plugin, by_label in rows.items():
        sample = next(iter(by_label.values()))[0]["result"]
        print(f"\n**{plugin}** (batch {sample['batch']})\n")
        print("| configuration | images/s (median) | runs | busy cores | ratio to the hand-written loop |")
        print("|---|---|---|---|---|")
        for label, recs in by_label.items():
            speeds = [r["result"]["images_per_s"] for r in recs]
            cores = [r["result"]["cores"] for r in recs]
            ratios = []
            for r in recs:
                ref = references.get((r.get("session"), r["common"], r["round"], *reference_key(r["result"])))
                if ref:
                    ratios.append(r["result"]["images_per_s"] / ref)
            ratio = f"{statistics.median(ratios):.2f}" if ratios else "n/a"
            print(f"| {label} | {statistics.median(speeds):,.1f} | {len(speeds)} | {statistics.median(cores):.2f} "
                  f"| {ratio} |")
    for (common, variant), n in failed.items():
        print(f"\nfailed {n}x: {common} {variant}")


if __name__ == "__main__":
    main(sys.argv[1:])
