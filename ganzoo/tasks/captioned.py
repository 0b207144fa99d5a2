"""The "captioned" task: images drawn for a sentence (text-to-image)."""

from __future__ import annotations

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption, Task, random_images, reject_options

PREVIEW_CAPTIONS = 8
PREVIEW_COLUMNS = 8
_TEST_WORDS = ("a", "small", "large", "red", "green", "blue", "circle", "square", "at", "the", "top", "left")


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


class Captioned(Task):
    """Batches are `(images, texts)`: float32 images in [0, 1] and a string
    tensor of captions; `generate(texts=[...], seed=)` draws one image per
    caption.

    A model of this task may define `preview_captions()`: fixed captions for
    the per-epoch grid (else the grid uses captions of the training examples)."""

    name = "captioned"
    summary = "images drawn for a caption: generate(texts=[...], seed=)"
    batch = "(images, texts): float32 (batch, H, W, C) in [0, 1] and string (batch,)"
    sample_options = (SampleOption("texts", "--text", "Caption(s); one row of --n images per caption.",
                                   multiple=True),)

    def describe(self, source, split="train", data_dir=None):
        from ganzoo.data import captioned

        return captioned.describe(source, split, data_dir=data_dir)

    def open(self, source, split="train", data_dir=None, shuffle=True, seed=None):
        from ganzoo.data import captioned
        from ganzoo.data.source import resolve

        kind, name = resolve(source)
        return captioned.open(kind, name, split, data_dir=data_dir, shuffle=shuffle, seed=seed)

    def elements(self, ds, info, image_shape, model=None):
        from ganzoo.data import elements

        return elements.captioned(ds, info, image_shape)

    def prepare_generation(self, model, n=None, texts=None, **conditions):
        """`generate(texts=[...])`: one image per caption; `generate(n, texts="...")`:
        n images of one caption."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes texts=, not {', '.join(conditions)}")
        if texts is None:
            raise GanzooError("a text-to-image model needs captions: generate(texts=['a red circle', ...])")
        single = isinstance(texts, (str, bytes))
        texts = check_texts(texts)
        if single and n is not None:
            texts = np.repeat(texts, int(n))
        elif n is not None and int(n) != len(texts):
            raise GanzooError(f"generate() got n={n} but {len(texts)} captions; pass one caption per image "
                              "(or drop n)")
        if len(texts) < 1:
            raise GanzooError("generate() needs at least one caption")
        return len(texts), {"texts": texts}

    def preview_captions(self, model, examples):
        if hasattr(model, "preview_captions"):
            return list(model.preview_captions(examples))[:PREVIEW_CAPTIONS]
        if examples is None:
            raise GanzooError("a captioned preview needs examples (images, texts) or model.preview_captions()")
        seen = []
        for text in check_texts([t.decode() if isinstance(t, bytes) else str(t)
                                 for t in np.asarray(examples[1]).reshape(-1)]):
            if text not in seen:
                seen.append(text)
        return seen[:PREVIEW_CAPTIONS]

    def caption_grid(self, model, captions, columns=PREVIEW_COLUMNS, seed=0):
        """One row per caption, `columns` images each; column j uses the same
        latent in every row; the caption is written beside its row."""
        rows = [model.generate(columns, texts=caption, seed=seed) for caption in check_texts(captions)]
        return images_lib.caption_rows(np.concatenate(rows), list(captions))

    def preview(self, model, examples=None, seed=0):
        """One row per caption (up to 8), 8 images each from the same 8
        latents, with the caption written beside its row."""
        return self.caption_grid(model, self.preview_captions(model, examples), PREVIEW_COLUMNS, seed)

    def sample(self, model, *, out, count=8, seed=0, texts=(), **options):
        """`count` images of each `--text` caption, a row each, captions beside."""
        reject_options(self, options)
        if not texts:
            raise GanzooError("a text-to-image model draws captions: pass --text \"a small red circle\"")
        from ganzoo.sampling import GRID_LIMIT

        # The captioned grid holds every image in memory; refuse a size no one can read.
        if count * len(texts) > GRID_LIMIT:
            raise GanzooError(f"--n {count} x {len(texts)} caption(s) is more than a captioned grid holds "
                              f"({GRID_LIMIT} images); pass a smaller --n")
        grid = self.caption_grid(model, list(texts), count, seed)
        return [images_lib.save_image(grid, out, scale=max(1, 900 // max(grid.shape[:2])))]

    def test_batch(self, model, n, rng):
        return random_images(rng, n, model.image_shape), self._test_texts(n, rng)

    def test_generate_kwargs(self, model, n, rng):
        return {"texts": self._test_texts(n, rng)}

    @staticmethod
    def _test_texts(n, rng):
        return np.asarray([" ".join(rng.choice(_TEST_WORDS, size=5)) for _ in range(n)], dtype=object)


task = Captioned()
