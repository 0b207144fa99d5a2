"""Learning-rate schedules that several plugins use (CycleGAN's, text2image's)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant, then linearly down to zero (Zhu et al. 2017, section 4).

    The paper trains at the initial rate for 100 epochs and decays it
    linearly to zero over the next 100. Keyed on the optimizer's own
    `iterations` (Keras calls the schedule with it), so it continues where it
    was after save, load and resume.

    lr(step) = initial_learning_rate                              step <= decay_start
             = initial_learning_rate * (1 - (step - decay_start) / decay_steps)
             = 0                                                  step >= decay_start + decay_steps

    Args:
        initial_learning_rate: the constant rate of the first phase.
        decay_start: optimizer step at which the decay begins.
        decay_steps: steps over which the rate falls to zero.
        name: the schedule's name.

    Example:

    ```python
    schedule = LinearDecay(2e-4, decay_start=5000, decay_steps=5000)   # 10k steps
    optimizer = keras.optimizers.Adam(schedule, beta_1=0.5)
    ```
    """

    def __init__(self, initial_learning_rate, decay_start, decay_steps, name="linear_decay"):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_start = int(decay_start)
        self.decay_steps = int(decay_steps)
        self.name = name
        if self.decay_start < 0 or self.decay_steps < 1:
            raise ValueError(f"LinearDecay needs decay_start >= 0 and decay_steps >= 1, "
                             f"got {decay_start} and {decay_steps}")

    @classmethod
    def second_half(cls, initial_learning_rate, total_steps):
        """The paper's schedule for a run of `total_steps`: constant for the
        first half, linear decay to zero over the second."""
        start = int(total_steps) // 2
        return cls(initial_learning_rate, decay_start=start, decay_steps=max(1, int(total_steps) - start))

    def __call__(self, step):
        step = ops.cast(step, "float32")
        done = ops.clip((step - self.decay_start) / float(self.decay_steps), 0.0, 1.0)
        return self.initial_learning_rate * (1.0 - done)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_start": self.decay_start,
                "decay_steps": self.decay_steps, "name": self.name}


def second_half_decay(learning_rate, training_steps):
    """`learning_rate` as it is when the run's length is unknown
    (`training_steps` <= 0), else `LinearDecay.second_half` over
    `training_steps`: a schedule needs the length to know where the decay starts.

    Example:

    ```python
    second_half_decay(2e-4, 0)        # 2e-4, a constant
    second_half_decay(2e-4, 10000)    # LinearDecay(2e-4, decay_start=5000, decay_steps=5000)
    ```
    """
    if training_steps <= 0:
        return learning_rate
    return LinearDecay.second_half(learning_rate, training_steps)
