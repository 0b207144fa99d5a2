"""Process CPU time per step of stylegan's former and current `cpu` schedules.

Both models train in one process, in alternating 28-step chunks, so the
machine's load falls on both alike; the figure is the median CPU-seconds
per step of each (issue 21: the new schedule must fit the CPU time of the
former preset's 3,000 steps).

    python benchmarks/stylegan_schedule_cpu.py [--chunks 6]
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

CONFIGS = {"former": {"learning_rate": 0.001, "fade_images": 4000, "stable_images": 4000},
           "current": {"learning_rate": 0.002, "fade_images": 1000, "stable_images": 1000}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=6)
    parser.add_argument("--chunk", type=int, default=28, help="steps per timed chunk")
    args = parser.parse_args()

    import keras

    import ganzoo
    from ganzoo.precision import precision_policy

    models, streams = {}, {}
    for name, config in CONFIGS.items():
        keras.utils.set_random_seed(0)
        with precision_policy("mixed_bfloat16"):               # `ganzoo fit`'s default
            model = ganzoo.create("stylegan", image_shape=(32, 32, 1), seed=0, **config)
        model.compile()
        streams[name] = ganzoo.data.load("digits", model, batch_size=32, seed=0, repeat=True)
        model.fit(streams[name], steps_per_epoch=4, epochs=1, verbose=0, shuffle=False)   # trace untimed
        models[name] = model
    seconds = {name: [] for name in CONFIGS}
    for _ in range(args.chunks):
        for name, model in models.items():
            start = time.process_time()
            model.fit(streams[name], steps_per_epoch=args.chunk, epochs=1, verbose=0, shuffle=False)
            seconds[name].append((time.process_time() - start) / args.chunk)
    result = {name: {"cpu_s_per_step": float(np.median(v)), "chunks": [round(x, 4) for x in v]}
              for name, v in seconds.items()}
    result["ratio_current_to_former"] = result["current"]["cpu_s_per_step"] / result["former"]["cpu_s_per_step"]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
