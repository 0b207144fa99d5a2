"""One entry to every single-stream source: embedded sets, folders and TFDS.

`describe` and `open_source` pick the source module from what
`source.resolve` makes of the argument. Tasks that read sources their own way
(two domains, captions) have modules of their own beside this one.
"""

from ganzoo.data import embedded, folders, tfds_source
from ganzoo.data.source import resolve


def describe(source, split="train", data_dir=None):
    """The `SourceInfo` of a source, without decoding (TFDS: without downloading)."""
    kind, name = resolve(source)
    if kind == "embedded":
        return embedded.info(name, split)
    if kind == "folder":
        return folders.info(name, split)
    return tfds_source.info(name, split, data_dir=data_dir)


def open_source(source, split="train", data_dir=None, shuffle=True, seed=None, check=None):
    """`(dataset of example dicts, SourceInfo)` of a source.

    Args:
        check: optional function of the `SourceInfo` that raises when the
            source cannot serve the caller; TFDS runs it before downloading.
    """
    kind, name = resolve(source)
    if kind == "embedded":
        ds, info = embedded.load(name, split)
    elif kind == "folder":
        ds, info = folders.load(name, split, shuffle=shuffle, seed=seed)
    else:
        return tfds_source.load(name, split, data_dir=data_dir, shuffle=shuffle, seed=seed, check=check)
    if check is not None:
        check(info)
    return ds, info
