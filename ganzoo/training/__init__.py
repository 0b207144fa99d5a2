"""Training runs: `ganzoo fit` and the directory it writes.

```
RUN/
  run.json              plugin, model config, data and training settings (exact)
  model.keras           the final model (loadable with ganzoo.load_model); once
                        the run finished, also its checkpoint
  checkpoint.weights.h5 networks + optimizers + step + random state (resume);
                        removed when the run finishes (model.keras holds the
                        same weights: each weight is kept once)
  checkpoint.json       epoch and step of that checkpoint (whole epochs done,
                        steps into the next)
  samples/epoch_NNNN.png  progress grids from fixed latents / inputs
  metrics.csv           the losses per epoch
  tensorboard/          scalars and sample grids
```
`ganzoo fit ... --resume` and `ganzoo sample RUN` need nothing else; reading a
run never writes into it.

One module per job:

- `request`: what `ganzoo fit` was asked (`FitRequest`) and the checks that
  need no run directory;
- `plan`: the run's settings, new or resumed, its length, and the model's
  configuration (`RunPlan`, the options every run fills);
- `build`: compile options, building the model, restoring its checkpoint;
- `loop`: `fit`, the epoch loop and the run's callbacks;
- `run_files`: run.json and model.keras (`read_run`, `load_run_model`,
  `save_model`);
- `run_folder`, `lock`, `checkpoints`, `callbacks`, `interruption`,
  `distribution`, `xla`: the run folder's boundaries and repair, its lock,
  checkpoints, the Keras callbacks, Ctrl-C, `tf.distribute`, and the
  one-line XLA error.
"""
