"""SRGAN's content loss: VGG19 feature maps (Ledig et al. 2017, section 2.2.1).

`vgg54` compares the feature maps phi_5,4 (the 4th convolution, after its
ReLU, before the 5th max-pooling of an ImageNet-trained VGG19) of the
super-resolved and of the real image; `vgg22` compares phi_2,2. Like the
paper, features are rescaled by 1/12.75 so that the loss has the magnitude
of the pixel MSE. The VGG19 weights come from `keras.applications`
(downloaded once, cached in `$KERAS_HOME/models`), or from a local file.
When they cannot be had, training stops at once with a one-line error:
there is never a silent fall-back to untrained VGG weights.
"""

from __future__ import annotations

import os

import keras
from keras import ops

from ganzoo.errors import GanzooError

#: content_loss option -> the VGG19 layer whose output it compares (None: pixel MSE).
CONTENT_LOSSES = {"vgg54": "block5_conv4", "vgg22": "block2_conv2", "mse": None}
#: The paper's rescaling of VGG feature maps.
FEATURE_SCALE = 1.0 / 12.75
#: ImageNet channel means of the caffe-style VGG preprocessing, in BGR order.
BGR_MEAN = (103.939, 116.779, 123.68)
#: The file keras.applications downloads for VGG19(include_top=False).
WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


def check_content_loss(name):
    if name not in CONTENT_LOSSES:
        raise GanzooError(f"content_loss must be one of {', '.join(CONTENT_LOSSES)}; got {name!r}")


def _unavailable(reason):
    return GanzooError(
        f"cannot load the VGG19 ImageNet weights of the content loss ({reason}); connect once so Keras can "
        f"download and cache them (~/.keras/models/{WEIGHTS_FILE}), or pass --set vgg_weights=PATH to a local "
        f"copy of that file, or train without VGG: --set content_loss=mse"
    )


def _vgg19(weights):
    return keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))


def build_feature_extractor(layer, weights="imagenet"):
    """A frozen VGG19 up to `layer` (e.g. "block5_conv4"), taking caffe-preprocessed images.

    Args:
        layer: name of the VGG19 layer whose output is returned.
        weights: "imagenet" (keras.applications' download, cached), or the
            path of a weights file for `VGG19(include_top=False)`.

    Raises:
        GanzooError: the weights cannot be downloaded or the file is missing
            or does not fit VGG19.
    """
    if weights != "imagenet":
        path = os.path.expanduser(str(weights))
        if not os.path.isfile(path):
            raise _unavailable(f"vgg_weights={weights!r} is not a file")
        weights = path
    try:
        vgg = _vgg19(weights)
    except GanzooError:
        raise
    except Exception as error:  # noqa: BLE001 - keras raises a bare Exception offline ("URL fetch failure")
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise _unavailable(first[:200]) from error
    extractor = keras.Model(vgg.input, vgg.get_layer(layer).output, name=f"vgg19_{layer}")
    extractor.trainable = False
    return extractor


class ContentLoss:
    """The VGG content loss l_VGG/i,j of the paper, on images in [-1, 1].

    Not a Keras layer on purpose: the VGG19 is a fixed measuring instrument,
    not part of the model, so it is neither saved with the model nor needed
    to load one and generate; it is built when training starts.

    Args:
        name: "vgg54" or "vgg22".
        weights: "imagenet" or a local weights file (see
            `build_feature_extractor`).

    Example:

    ```python
    loss = ContentLoss("vgg54")              # downloads/caches VGG19 once
    value = loss(super_resolved, high_res)   # scalar, images in [-1, 1]
    ```
    """

    def __init__(self, name="vgg54", weights="imagenet"):
        check_content_loss(name)
        if CONTENT_LOSSES[name] is None:
            raise ValueError("ContentLoss is the VGG loss; use the pixel MSE for content_loss='mse'")
        self.name = name
        self.extractor = build_feature_extractor(CONTENT_LOSSES[name], weights)

    @staticmethod
    def preprocess(images):
        """[-1, 1] RGB (or grey) -> VGG's input: [0, 255] BGR minus the ImageNet mean."""
        images = (ops.cast(images, "float32") + 1.0) * 127.5
        if images.shape[-1] == 1:
            images = ops.repeat(images, 3, axis=-1)
        return ops.flip(images, axis=-1) - ops.convert_to_tensor(BGR_MEAN, "float32")

    def features(self, images):
        return ops.cast(self.extractor(self.preprocess(images), training=False), "float32") * FEATURE_SCALE

    def __call__(self, super_resolved, high_res):
        return ops.mean(ops.square(self.features(super_resolved) - self.features(high_res)))
