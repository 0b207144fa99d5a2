"""Pictures of text-to-image models: a row per caption, the caption beside it."""

from __future__ import annotations

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError, setting
from ganzoo.sampling import files
from ganzoo.sampling.base import SampleOption, Sampler
from ganzoo.tasks.captioned import check_texts

PREVIEW_CAPTIONS = 8
PREVIEW_COLUMNS = 8


def caption_grid(model, captions, columns=PREVIEW_COLUMNS, seed=0):
    """One row per caption, `columns` images each; column j uses the same
    latent in every row; the caption is written beside its row. Returns an
    HWC image in [0, 1]."""
    rows = [model.generate(columns, texts=caption, seed=seed) for caption in check_texts(captions)]
    return images_lib.caption_rows(np.concatenate(rows), list(captions))


def preview_captions(model, examples):
    """The captions of the preview: the model's `preview_captions()` where it
    has one, else up to 8 distinct captions of `examples` `(images, texts)`."""
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


class CaptionedSampler(Sampler):
    """A row per caption (preview: up to 8, 8 images each); `ganzoo sample
    --text "..."` writes `--n` images of each caption."""

    task = "captioned"
    options = (SampleOption("texts", "--text", "Caption(s); one row of --n images per caption.", multiple=True),)

    def preview(self, model, examples=None, seed=0):
        """One row per caption (up to 8), 8 images each from the same 8
        latents, with the caption written beside its row."""
        return caption_grid(model, preview_captions(model, examples), PREVIEW_COLUMNS, seed)

    def sample(self, model, *, out, count=8, seed=0, texts=(), **options):
        """`count` images of each `--text` caption, a row each, captions beside."""
        files.reject_options(self.task, options)
        if not texts:
            example = '"a small red circle"'
            raise GanzooError("a text-to-image model draws captions: pass "
                              + setting("texts", flag=f"--text {example}", python=f"texts=({example},)"))
        # The captioned grid holds every image in memory; refuse a size no one can read.
        if count * len(texts) > files.GRID_LIMIT:
            raise GanzooError(f"--n {count} x {len(texts)} caption(s) is more than a captioned grid holds "
                              f"({files.GRID_LIMIT} images); pass a smaller --n")
        return files.save_picture(caption_grid(model, list(texts), count, seed), out, width=900)


captioned = CaptionedSampler()
