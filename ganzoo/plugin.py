"""What an architecture plugin declares about itself."""

from __future__ import annotations

import dataclasses
from typing import Callable

TASKS = ("unconditional", "conditional", "captioned", "paired", "unpaired")


@dataclasses.dataclass(frozen=True)
class Plugin:
    """An architecture registered under the `ganzoo.plugins` entry-point group.

    A plugin package exposes one `Plugin` object; its entry point names it:

    ```toml
    [project.entry-points."ganzoo.plugins"]
    mygan = "mygan_package:plugin"
    ```

    Importing the plugin package must stay cheap (no Keras import), so the
    model class is reached through `load_model_class`, a function that
    imports it on first use. `ganzoo list` then needs no TensorFlow.

    Args:
        name: registry name, also the entry-point name.
        summary: one line for `ganzoo list`.
        task: one of `ganzoo.plugin.TASKS`; decides the batch structure that
            `fit()` receives and the arguments of `generate()`.
        load_model_class: zero-argument function returning the model class
            (a subclass of `ganzoo.GAN`).
        default_dataset: dataset used by `ganzoo fit NAME` without
            `--dataset`/`--data`; should be embedded so it works offline.
        datasets: datasets known to suit the plugin (shown by `ganzoo info`).
        paper: citation of the method, shown by `ganzoo info`.
        default_epochs: epochs of `ganzoo fit NAME` when neither `--epochs`
            nor `--steps` is given.
        default_batch_size: batch size of `ganzoo fit NAME` without
            `--batch-size` (the paper's, where it is practical).

    Example:

    ```python
    def _model_class():
        from mygan_package.model import MyGAN
        return MyGAN

    plugin = ganzoo.Plugin(name="mygan", summary="My GAN", task="unconditional",
                           load_model_class=_model_class, default_dataset="digits")
    ```
    """

    name: str
    summary: str
    task: str
    load_model_class: Callable[[], type]
    default_dataset: str = "digits"
    datasets: tuple[str, ...] = ()
    paper: str = ""
    default_epochs: int = 10
    default_batch_size: int = 64

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(
                f"plugin {self.name!r} declares task {self.task!r}; "
                f"expected one of {', '.join(TASKS)}"
            )

    @property
    def model_class(self) -> type:
        """The plugin's model class (imports Keras on first use)."""
        return self.load_model_class()
