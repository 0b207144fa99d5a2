"""Markdown tables, one per plugin, from the JSON lines that `pair_runs.py --record` writes.

    python benchmarks/speed_tables.py RUNS.jsonl [MORE.jsonl ...]
    python benchmarks/speed_tables.py --by-backend RUNS.jsonl   # backend_speed.sh's table

Per configuration: the median images/s over its runs, the median CPU cores the
runs kept busy, and the median of the paired ratios to the hand-written loop
(`--side loop`) of the same round and precision: pairing keeps the ratio
meaningful when the machine's speed drifts between rounds.

`--by-backend`: one table of plugin x Keras backend (ganzoo's images/s, the
hand-written step's, the median paired ratio, busy cores), then the fastest
backend of each plugin for ganzoo. Files are read in order; a cell measured
again with other options keeps only the last options' runs.
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
    if result.get("backend", "tensorflow") != "tensorflow":
        extras.insert(0, result["backend"])
    return f"{side}, {', '.join(extras)}"


def reference_key(result):
    return result["plugin"], tuple(result.get("set", [])), result["precision"], result.get("backend", "tensorflow")


def is_reference(result):
    return (result["side"] == "loop" and result.get("step", "hand") == "hand" and not result["jit"]
            and result["steps_per_execution"] == 1 and result["data"] == "memory")


def references_of(records):
    """`{(session, common, round, plugin, set, precision, backend): images/s}` of the hand-written loop's runs."""
    references = {}
    for rec in records:
        result = rec["result"]
        if result and is_reference(result):
            references[(rec.get("session"), rec["common"], rec["round"], *reference_key(result))] = result["images_per_s"]
    return references


def paired_ratios(recs, references):
    """Each run's images/s over the hand-written loop's of its round."""
    ratios = []
    for r in recs:
        ref = references.get((r.get("session"), r["common"], r["round"], *reference_key(r["result"])))
        if ref:
            ratios.append(r["result"]["images_per_s"] / ref)
    return ratios


def median_or_none(values):
    return statistics.median(values) if values else None


def by_backend(records):
    """backend_speed.sh's table: plugin x backend, ganzoo against the hand-written step."""
    # A cell measured again with other step options (a later file) keeps only its latest options' runs;
    # runs with the same options pool.
    def options(rec):
        return " ".join(rec["common"].split())

    latest = {}
    for rec in records:
        if rec["result"] is not None:
            latest[(rec["result"]["plugin"], rec["result"].get("backend", "tensorflow"))] = options(rec)
    records = [rec for rec in records if rec["result"] is None or options(rec) == latest[
        (rec["result"]["plugin"], rec["result"].get("backend", "tensorflow"))]]
    references = references_of(records)
    cells = collections.defaultdict(lambda: {"ganzoo": [], "loop": []})
    failed = collections.Counter()
    for rec in records:
        result = rec["result"]
        if result is None:
            failed[(rec["common"], rec["variant"])] += 1
        elif result["side"] in ("ganzoo", "loop"):
            cells[(result["plugin"], result.get("backend", "tensorflow"))][result["side"]].append(rec)
    print("| plugin | backend | batch | ganzoo images/s | hand-written images/s | ratio ganzoo / hand-written "
          "(median of pairs) | busy cores ganzoo / hand-written | runs |")
    print("|---|---|---|---|---|---|---|---|")
    fastest = {}
    plugins = list(dict.fromkeys(plugin for plugin, _ in cells))   # in the order first measured
    order = {"tensorflow": 0, "jax": 1, "torch": 2}
    for (plugin, backend), sides in sorted(cells.items(), key=lambda item: (plugins.index(item[0][0]),
                                                                            order.get(item[0][1], 3))):
        speed = {side: median_or_none([r["result"]["images_per_s"] for r in recs]) for side, recs in sides.items()}
        cores = {side: median_or_none([r["result"]["cores"] for r in recs]) for side, recs in sides.items()}
        ratio = median_or_none(paired_ratios(sides["ganzoo"], references))
        batch = next(r["result"]["batch"] for recs in sides.values() for r in recs)
        shown = {side: f"{v:,.1f}" if v is not None else "n/a" for side, v in speed.items()}
        shown_cores = " / ".join(f"{cores[side]:.2f}" if cores[side] is not None else "n/a" for side in ("ganzoo", "loop"))
        print(f"| {plugin} | {backend} | {batch} | {shown['ganzoo']} | {shown['loop']} | "
              f"{f'{ratio:.3f}' if ratio is not None else 'n/a'} | {shown_cores} | "
              f"{len(sides['ganzoo'])} + {len(sides['loop'])} |")
        if speed["ganzoo"] is not None and speed["ganzoo"] > fastest.get(plugin, ("", 0.0))[1]:
            fastest[plugin] = (backend, speed["ganzoo"])
    print()
    for plugin, (backend, speed) in fastest.items():
        print(f"- fastest backend for {plugin} (ganzoo): {backend}, {speed:,.1f} images/s")
    for (common, variant), n in failed.items():
        print(f"\nfailed {n}x: {common} {variant}")


def main(paths):
    if paths and paths[0] == "--by-backend":
        by_backend([json.loads(line) for path in paths[1:] for line in open(path) if line.strip()])
        return
    records = [json.loads(line) for path in paths for line in open(path) if line.strip()]
    references = references_of(records)
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
            ratios = paired_ratios(recs, references)
            ratio = f"{statistics.median(ratios):.2f}" if ratios else "n/a"
            print(f"| {label} | {statistics.median(speeds):,.1f} | {len(speeds)} | {statistics.median(cores):.2f} "
                  f"| {ratio} |")
    for (common, variant), n in failed.items():
        print(f"\nfailed {n}x: {common} {variant}")


if __name__ == "__main__":
    main(sys.argv[1:])
