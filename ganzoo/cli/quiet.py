"""Starting TensorFlow for a command without its start-up noise.

Why grappler's remapper is off on a machine without a GPU: it fuses
Conv2D + bias add + LeakyRelu into one _FusedConv2D. Where the step also takes the gradient through that
activation (every GAN step does: Keras 3 convolutions and stylegan's
equalized-lr ones add their bias with a plain AddV2, and stylegan,
cyclegan, text2image and the wgan-gp template follow them with LeakyReLU),
the gradient's LeakyReluGrad still reads the pre-activation sum that the
fusion removes, the rewrite fails ("remapper failed: INVALID_ARGUMENT:
Mutation::Apply error: fanout '.../LeakyReluGrad' exist for missing node
'.../add'"), and grappler keeps the graph as it was before the pass: those
graphs never ran fused. Turning the remapper off on CPU gives the same
graphs and bit for bit the same results (tests/framework/test_quiet.py)
without the E-level log line; the fusions it makes elsewhere gave dcgan no
measurable speed on CPU (300 steps: 63.9 s off, 63.8 s on). On a GPU
(cuDNN fusions) it stays on.
"""

from __future__ import annotations

import os
import sys


def quiet_tensorflow(debug=False):
    """Starts TensorFlow for a command without its start-up noise.

    TF's C++ start-up banner (oneDNN, absl, CUDA probing: "failed call to
    cuInit" on a machine without a GPU) is noise for a CLI user, and TF 2.21
    prints it before TF_CPP_MIN_LOG_LEVEL takes effect: TensorFlow is imported
    and its devices probed with the process's stderr sent to /dev/null (the
    probe too when a plugin's import brought TensorFlow in already).

    On a machine without a GPU, grappler's remapper is turned off (see the
    module's docstring).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if debug:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    except ImportError:
        return
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)
    if not gpus:
        tf.config.optimizer.set_experimental_options({"remapping": False})
