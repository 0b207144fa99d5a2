"""The callbacks of `ganzoo.training.callbacks`, under the name the docs use
(`ganzoo.callbacks.SampleGrid`); a face that only re-exports."""

from ganzoo.training.callbacks import (Checkpoint, EpochTensorBoard, MetricsCSV, ResumeEpoch, SampleGrid, StopAtStep,
                                       StopOnNonFinite)

__all__ = ["Checkpoint", "EpochTensorBoard", "MetricsCSV", "ResumeEpoch", "SampleGrid", "StopAtStep",
           "StopOnNonFinite"]
