"""Captioned folders: images beside a `metadata.jsonl` (the convention of
Hugging Face image folders), read for `ganzoo.data.captioned`, which
describes the format."""

from __future__ import annotations

import dataclasses
import json
import pathlib

from ganzoo.data.common import SourceInfo, parse_split, slice_split, warn
from ganzoo.errors import GanzooError

METADATA = "metadata.jsonl"


@dataclasses.dataclass(frozen=True)
class CaptionedFile:
    """One image of a captioned folder and its captions, in metadata order."""

    path: pathlib.Path
    captions: tuple


def metadata_file(folder, split="train"):
    """The `metadata.jsonl` of a split of a captioned folder, or None."""
    folder = pathlib.Path(folder)
    base, _ = parse_split(split)
    candidates = [folder / base / METADATA]
    if base == "train":
        candidates.insert(0, folder / METADATA)
    return next((path for path in candidates if path.is_file()), None)


def read_metadata(path, check_files=True):
    """Parses a `metadata.jsonl` into `CaptionedFile`s (several lines of one
    file join its captions); bad lines are skipped with a warning naming
    `path` and the line number.

    Args:
        path: the metadata file.
        check_files: skip lines whose image file does not exist.

    Returns:
        The list of `CaptionedFile`s in order of first appearance.
    """
    path = pathlib.Path(path)
    root = path.parent
    files = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise GanzooError(f"cannot read {path}: {error}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            warn(f"{where}: skipping a line that is not valid JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            warn(f"{where}: skipping a line that is not a JSON object")
            continue
        name = record.get("file_name")
        if not isinstance(name, str) or not name.strip():
            warn(f"{where}: skipping a line without a \"file_name\"")
            continue
        captions = record.get("text")
        if isinstance(captions, str):
            captions = [captions]
        if not isinstance(captions, list):
            warn(f"{where}: skipping {name!r}: \"text\" must be a string or a list of strings")
            continue
        good = [c.strip() for c in captions if isinstance(c, str) and c.strip()]
        if len(good) < len(captions):
            warn(f"{where}: {name!r}: ignoring {len(captions) - len(good)} empty or non-string caption(s)")
        if not good:
            warn(f"{where}: skipping {name!r}: no caption (empty \"text\")")
            continue
        image = (root / name).resolve()
        if check_files and not image.is_file():
            warn(f"{where}: skipping {name!r}: no such file in {root}")
            continue
        entry = files.setdefault(image, [])
        entry.extend(good)
    return [CaptionedFile(p, tuple(c)) for p, c in files.items()]


def verified(entries, path):
    """The entries whose image decodes; the others are skipped with a warning naming `path`."""
    from ganzoo.data.common import image_problem

    good = []
    for entry in entries:
        # A full decode, not PIL's verify(): a truncated file must not train as a half-grey image.
        problem = image_problem(entry.path)
        if problem is not None:
            warn(f"{path}: skipping unreadable image '{entry.path}': {problem}")
            continue
        good.append(entry)
    return good


def folder_entries(folder, split, verify):
    """`(metadata file, CaptionedFile list)` of a split of a captioned folder (sliced;
    with `verify`, only images that decode); no usable image is an error."""
    path = metadata_file(folder, split)
    if path is None:
        base, _ = parse_split(split)
        raise GanzooError(
            f"folder '{folder}' has no {METADATA} for split {base!r} (looked for {folder / METADATA} and "
            f"{folder / base / METADATA}); a captioned folder holds images and a {METADATA} with one "
            '{"file_name": ..., "text": ...} per line'
        )
    entries = read_metadata(path)
    entries = slice_split(entries, split, f"'{path}'")
    if verify:
        entries = verified(entries, path)
    if not entries:
        raise GanzooError(f"{path} lists no usable image with a caption (see the warnings above)")
    return path, entries


def folder_info(folder, entries):
    """The `SourceInfo` of a captioned folder: one example per caption."""
    from ganzoo.data.folders import native_shape

    return SourceInfo(name=str(folder), kind="folder", num_examples=sum(len(e.captions) for e in entries),
                      image_shape=native_shape([e.path for e in entries])[0])
