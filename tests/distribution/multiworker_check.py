"""One worker of a multi-worker `ganzoo.runs.fit` on localhost (run by
test_multiworker.py): `python multiworker_check.py PORTS INDEX OUT STEPS DUMP [--resume]`.

PORTS: comma-separated localhost ports, one per worker. Writes the worker's
final weights to DUMP (.npz) for the test to compare across workers.
"""

import json
import os
import sys

ports, index, out, steps, dump = sys.argv[1].split(","), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
resume = "--resume" in sys.argv
os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": [f"localhost:{p}" for p in ports]},
                                      "task": {"type": "worker", "index": index}})

import numpy as np  # noqa: E402

from ganzoo import runs  # noqa: E402

model = runs.fit("dcgan", strategy="multi-worker", out=out, seed=1, steps=steps, batch_size=4, resume=resume,
                 precision="float32", verbose=0, checkpoint_steps=1, sync_batchnorm=True,
                 overrides=None if resume else {"generator_filters": 4, "discriminator_filters": 4,
                                                "latent_dim": 8})
weights = model.get_weights()
np.savez(dump, *weights)
print("STEP", model.steps_done, "WEIGHTS", len(weights), "SUM", float(sum(np.sum(np.abs(w)) for w in weights)))
