"""What every hand-written step shares: the `Recipe` (a step and what it trains) and the GAN losses."""

import keras
from keras import ops


class Recipe:
    """A hand-written step and what it trains.

    Args:
        networks: `{name: keras.Model}`, the networks the step calls by name.
        optimizers: `{player: keras optimizer}`, one per trained network.
        step: `step(t, batch) -> {name: scalar}`, the step over a toolkit `t`.
        state: `{name: initial value}` (NumPy arrays), the step's own state besides
            the networks and optimizers, read and written with `t.read` / `t.write`.
        players: `{player: [network names]}` for a player that trains several networks
            with its one optimizer; by default each player trains the network of its name.
        first_step: the number of the loop's first step, from which `t.every` counts
            (the model's steps done when the recipe is made).
    """

    def __init__(self, networks, optimizers, step, state=None, players=None, first_step=0):
        self.networks, self.optimizers, self.step = networks, optimizers, step
        self.state = dict(state or {})
        self.players = dict(players or {})
        self.first_step = int(first_step)

    def trained(self, player):
        """The names of the networks `player` trains."""
        return list(self.players.get(player, [player]))

    def build_optimizers(self):
        """Each player's optimizer built on its networks' trainable variables (its slots made)."""
        for player, optimizer in self.optimizers.items():
            optimizer.build([v for name in self.trained(player) for v in self.networks[name].trainable_variables])


def d_loss_of(real_logits, fake_logits):
    """-(log D(x) + log(1 - D(G(z)))), on logits."""
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def g_loss_of(fake_logits, minimax=False):
    """Non-saturating: -log D(G(z)); minimax: log(1 - D(G(z)))."""
    return -ops.mean(ops.softplus(fake_logits)) if minimax else ops.mean(ops.softplus(-fake_logits))


def adam(model, beta_1=0.5):
    return keras.optimizers.Adam(learning_rate=model.learning_rate, beta_1=beta_1, beta_2=0.999)


def minimax_loss(model):
    loss = model.get_config().get("loss", "non_saturating")
    if loss not in ("non_saturating", "minimax"):
        raise ValueError(f"the hand-written steps have the non_saturating and minimax losses, not {loss!r}")
    return loss == "minimax"


def players(model):
    """The two networks, and the generator's moving average when the model keeps one."""
    networks = {"generator": model.generator, "discriminator": model.discriminator}
    averaged = model.averaged(model.generator)
    decay = float(model.get_config().get("ema") or 0.0)
    if averaged is not model.generator:
        networks["generator_ema"] = averaged
    return networks, decay if averaged is not model.generator else 0.0


def to_range(images):
    return ops.cast(images, "float32") * 2.0 - 1.0   # data arrive in [0, 1]; tanh works in [-1, 1]
