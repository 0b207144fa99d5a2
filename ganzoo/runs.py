"""The names `ganzoo.runs` has always had; training lives in `ganzoo.training`.

A face that only re-exports, so that `ganzoo.runs.fit`, `ganzoo.runs.RunPlan`
and the rest keep working.
"""

from ganzoo.training.build import (DEFAULT_JIT, DEFAULT_STEPS_PER_EXECUTION, build_model, compile_options,
                                   execution_steps)
from ganzoo.training.epochs import run_callbacks
from ganzoo.training.loop import fit, fit_request
from ganzoo.training.plan import RunPlan
from ganzoo.training.request import (DEFAULT_CHECKPOINT_MINUTES, DEFAULT_CHECKPOINT_STEPS, FitRequest, check_request,
                                     resolve_source)
from ganzoo.training.run_files import (DEFAULT_PRECISION, MODEL_FILE, RUN_FILE, RunSettings, load_run_model, read_run,
                                       save_model)

__all__ = ["DEFAULT_CHECKPOINT_MINUTES", "DEFAULT_CHECKPOINT_STEPS", "DEFAULT_JIT", "DEFAULT_PRECISION",
           "DEFAULT_STEPS_PER_EXECUTION", "FitRequest", "MODEL_FILE", "RUN_FILE", "RunPlan", "RunSettings",
           "build_model", "check_request", "compile_options", "execution_steps", "fit", "fit_request",
           "load_run_model", "read_run", "resolve_source", "run_callbacks", "save_model"]
