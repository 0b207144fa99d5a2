"""How a `source` argument picks a kind of source: an embedded set, a folder or TFDS.

`resolve(source)` is the one place that decides; the source modules below it
(`embedded`, `folders`, `tfds_source`) each open one kind. `SourceInfo`,
`split_range` and `warn` live in `ganzoo.data.common` and are re-exported here.
No TensorFlow here, so that `inspect()` of embedded data and folders stays
cheap.
"""

import os
import pathlib

from ganzoo.data import embedded
from ganzoo.data.common import SourceInfo, looks_like_path, split_range, warn
from ganzoo.errors import GanzooError

__all__ = ["SourceInfo", "resolve", "split_range", "unknown_source_error", "warn"]


def resolve(source):
    """Decides which kind of source `source` names.

    Order: an embedded name, then an existing path, then a TFDS name (checked
    later by the TFDS module, which knows the registry).

    Returns:
        A `(kind, name)` tuple; `name` is a `pathlib.Path` for folders.
    """
    if isinstance(source, os.PathLike):
        path = pathlib.Path(source).expanduser()
        if not path.exists():
            raise GanzooError(f"folder '{path}' does not exist; pass an existing folder of images")
        return "folder", path
    if not isinstance(source, str) or not source:
        raise GanzooError(
            f"dataset source must be a dataset name or a folder path, got {source!r}"
        )
    if source in embedded.EMBEDDED:
        return "embedded", source
    path = pathlib.Path(source).expanduser()
    if path.exists():
        return "folder", path
    if looks_like_path(source):
        raise GanzooError(f"folder '{source}' does not exist; pass an existing folder of images")
    return "tfds", source


def unknown_source_error(source):
    """The error for a name that is neither embedded, TFDS, nor a folder."""
    import difflib

    names = ", ".join(embedded.EMBEDDED)
    close = difflib.get_close_matches(str(source), list(embedded.EMBEDDED), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return GanzooError(
        f"unknown dataset {source!r}{hint}: it is neither an embedded dataset ({names}), "
        f"a TFDS dataset, nor an existing folder; check the spelling or pass a folder path"
    )
