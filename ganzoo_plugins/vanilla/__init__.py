"""vanilla: the multilayer-perceptron GAN of Goodfellow et al. (2014)."""

from ganzoo.plugin import DefaultRun, Plugin, Preset


plugin = Plugin(
    name="vanilla", task="unconditional", model="ganzoo_plugins.vanilla.model:VanillaGAN",
    summary="MLP GAN of Goodfellow et al. 2014: the minimax game, as taught",
    default_dataset="digits",
    datasets=("digits", "mnist", "fashion_mnist"),
    paper="Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014. https://arxiv.org/abs/1406.2661",
    # An MLP needs many more steps than DCGAN: ~5,600 steps
    # take the 28x28 digits from noise to a classifier Fréchet distance ~7 (docs/plugins/vanilla.md).
    default_epochs=200,
    presets=(
        Preset("cpu", "the default: two hidden layers of 256 units per network, dropout 0.5 in D, Adam 1e-3, "
                      "EMA generator, 200 epochs of the embedded digits"),
        Preset("paper", "Goodfellow et al.'s MNIST size: two hidden layers of 1200 units, dropout 0.5 in D, "
                        "batch 100, no EMA (ReLU and Adam 2e-4 where the paper had maxout and SGD with momentum)",
               # Adam 2e-4: the 1e-3 of the default was measured on 256 units only.
               config={"image_shape": (28, 28, 1), "hidden_units": 1200, "hidden_layers": 2, "dropout": 0.5,
                       "learning_rate": 2e-4, "ema": 0.0},
               batch_size=100),
    ),
    default_preset="cpu",
    default_run=DefaultRun(steps=5_600, minutes=1.1, megabytes=18,
                           how="CPU time of 20- and 280-step runs at load 17-21 (start-up + 0.75 x per step); busy cores"
                               " take longer: 3 min 28 s at load 8"),
)
