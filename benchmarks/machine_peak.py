"""The machine's matrix-multiply peak in TensorFlow, and DCGAN's FLOPs per image.

Peak: a large square matmul (float32 and bfloat16) in a `tf.function`,
repeated; FLOP/s = 2 n^3 per product. DCGAN: multiply-adds of every Conv2D,
Conv2DTranspose and Dense layer counted from the layer shapes (2 FLOPs each),
forward only; a training step of the two-pass DCGAN costs per image

    D update: G forward + D forward on real and fake + D backward on both
              (gradients of inputs and weights: 2x forward)   = G + 6 D
    G update: G forward + D forward + D input gradients (1x) + G backward (2x)
                                                              = 3 G + 2 D
    in all:   4 G + 8 D   (BatchNorm, activations and Adam not counted)

Run by hand:  python benchmarks/machine_peak.py [--size 4096] [--image-size 32 --channels 3]
Then share of peak = images/s x FLOPs per image / peak FLOP/s.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def matmul_peak(n, dtype, seconds=3.0):
    a = tf.random.normal((n, n), dtype="float32")
    b = tf.random.normal((n, n), dtype="float32")
    a, b = tf.cast(a, dtype), tf.cast(b, dtype)

    @tf.function
    def product(a, b):
        return tf.reduce_sum(tf.cast(tf.matmul(a, b)[:1, :1], "float32"))

    float(product(a, b))
    best, spent = 0.0, 0.0
    while spent < seconds:
        start = time.perf_counter()
        float(product(a, b))
        took = time.perf_counter() - start
        spent += took
        best = max(best, 2 * n**3 / took)
    return best


def layer_flops(model):
    """Forward FLOPs per example of a functional model's conv and dense layers."""
    total = 0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, c_in = layer.input.shape
            k = layer.kernel_size[0] * layer.kernel_size[1]
            total += 2 * h * w * k * c_in * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            c_in = layer.input.shape[-1]
            k = layer.kernel_size[0] * layer.kernel_size[1]
            total += 2 * h * w * k * c_in * c_out
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
        elif isinstance(layer, keras.Model):
            total += layer_flops(layer)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--channels", type=int, default=3)
    args = parser.parse_args()
    import ganzoo

    model = ganzoo.create("dcgan", image_shape=(args.image_size, args.image_size, args.channels))
    g, d = layer_flops(model.generator), layer_flops(model.discriminator)
    result = {
        "matmul_gflops_float32": round(matmul_peak(args.size, "float32") / 1e9, 1),
        "matmul_gflops_bfloat16": round(matmul_peak(args.size, "bfloat16") / 1e9, 1),
        "dcgan_image_shape": [args.image_size, args.image_size, args.channels],
        "dcgan_generator_forward_mflops": round(g / 1e6, 2),
        "dcgan_discriminator_forward_mflops": round(d / 1e6, 2),
        "dcgan_train_step_mflops_per_image": round((4 * g + 8 * d) / 1e6, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
