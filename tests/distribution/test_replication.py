"""Every built-in plugin takes the same steps on two replicas as on one
device: `replication_check.py` trains each tiny model for 2 steps on 2
logical CPU devices under MirroredStrategy and on one device, with the same
global batch, initial weights and random draws (the model's stream draws the
global batch's values on every replica and keeps its rows), and compares
every weight: networks, BatchNorm statistics (synchronised), optimizer-free
state such as CycleGAN's image pools, StyleGAN's w average, path-length
mean and image count, the EMA copies and the seed states.

Plain SGD makes the update linear in the gradient (Adam's first steps are
nearly sign(gradient) and would turn float noise in near-zero gradients into
whole steps); with Adam the largest differences are about 1e-3 of a step.
"""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # subprocesses training on two logical devices: deselect with -m "not slow"

SCRIPT = os.path.join(os.path.dirname(__file__), "replication_check.py")
CASES = ["vanilla", "dcgan", "cgan", "wgan_gp", "cyclegan", "srgan", "srgan_stage_hook", "stylegan", "stylegan2",
         "text2image"]
TOLERANCE = 1e-4
# Two steps cover both branches of every schedule in the tiny configurations
# (SRGAN's pretraining then GAN stage, StyleGAN2's lazy R1 and path length on
# the first step and not the second, CycleGAN's pool filling then
# exchanging). More steps of SGD at 0.1 let float noise grow (CycleGAN:
# 1e-6, 1e-5, 1e-3 after 1, 2, 3 steps).
STEPS = 2


@pytest.mark.parametrize("case", CASES)
def test_two_replicas_take_the_single_device_steps(case):
    result = subprocess.run([sys.executable, SCRIPT, case, str(STEPS)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(l for l in result.stdout.splitlines() if l.startswith("RESULT "))
    report = json.loads(line[len("RESULT "):])
    assert report["moved"] > 0, report
    assert report["max_relative_difference"] < TOLERANCE, report
