"""Files shipped in `ganzoo/data/embedded/`, read through `importlib.resources`
so that they are found inside an installed wheel or zip too, where a path
relative to `__file__` may not exist."""

import importlib.resources
import io

import numpy as np


def embedded_file(*parts):
    """The `importlib.resources` Traversable of `ganzoo/data/embedded/<parts...>`."""
    ref = importlib.resources.files("ganzoo.data").joinpath("embedded")
    for part in parts:
        ref = ref.joinpath(part)
    return ref


def read_npz(filename):
    """The arrays of `embedded/<filename>`, an `.npz` file, as a dict of numpy arrays."""
    with np.load(io.BytesIO(embedded_file(filename).read_bytes())) as npz:
        return {key: npz[key] for key in npz.files}
