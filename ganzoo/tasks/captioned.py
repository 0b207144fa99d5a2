"""The "captioned" task: images drawn for a sentence (text-to-image)."""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.tasks.base import OwnReaderTask, per_image


def check_texts(texts):
    """Captions as a 1-D numpy array of str; `GanzooError` for anything else.

    Empty strings and non-ASCII text are valid captions (the model's text
    encoder decides what they mean)."""
    if isinstance(texts, (str, bytes)):
        texts = [texts]
    try:
        array = np.asarray(texts, dtype=object).reshape(-1)
    except Exception:  # noqa: BLE001 - anything numpy cannot shape is not a list of captions
        raise GanzooError("texts must be a caption or a list of captions (strings)") from None
    result = []
    for text in array:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        if not isinstance(text, str):
            raise GanzooError(f"texts must be strings; got {text!r}")
        # Lone surrogates (from badly decoded input) cannot reach a string tensor.
        result.append(text.encode("utf-8", errors="replace").decode("utf-8"))
    return np.asarray(result, dtype=object)


class Captioned(OwnReaderTask):
    """Batches are `(images, texts)`: float32 images in [0, 1] and a string
    tensor of captions; `generate(texts=[...], seed=)` draws one image per
    caption.

    A model of this task may define `preview_captions()`: fixed captions for
    the per-epoch grid (`ganzoo.sampling.captioned`; else the grid uses
    captions of the training examples).

    To be exported (`ganzoo export`), a model of this task defines
    `embed(texts)` (a string tensor -> one float vector per caption) and
    takes `embeddings=` instead of `texts=` in `generate_batch`: string
    operations have no ONNX or LiteRT kernels, so the exported graph takes
    the caption's encoding and the text encoder stays outside it."""

    name = "captioned"
    summary = "images drawn for a caption: generate(texts=[...], seed=)"
    batch = "(images, texts): float32 (batch, H, W, C) in [0, 1] and string (batch,)"

    reader = "captioned"

    element_mapping = "captioned"

    def prepare_generation(self, model, n=None, texts=None, **conditions):
        """`generate(texts=[...])`: one image per caption; `generate(n, texts="...")`:
        n images of one caption."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes texts=, not {', '.join(conditions)}")
        if texts is None:
            raise GanzooError("a text-to-image model needs captions: generate(texts=['a red circle', ...])")
        single = isinstance(texts, (str, bytes))
        texts = per_image(check_texts(texts), n, single, "caption")
        return len(texts), {"texts": texts}


task = Captioned()
