"""Image preparation shared by the tasks' batch mapping (see `ganzoo.tasks` and
`ganzoo.data.elements`); it lives in `ganzoo.data.decode`, re-exported here
for existing imports."""

from ganzoo.data.decode import prepare_image, to_float  # noqa: F401
