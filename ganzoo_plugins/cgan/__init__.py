"""cgan: conditional GAN of Mirza & Osindero (2014), with an optional projection
discriminator (Miyato & Koyama 2018)."""

from ganzoo.plugin import DefaultRun, Plugin, Preset


plugin = Plugin(
    name="cgan", task="conditional", model="ganzoo_plugins.cgan.model:ConditionalGAN",
    summary="Conditional GAN of Mirza & Osindero 2014: generate images of a chosen class (MLP or conv, projection D)",
    default_dataset="digits",
    datasets=("digits", "mnist", "fashion_mnist", "cifar10", "a folder with one subfolder of images per class"),
    paper="Mirza & Osindero, Conditional Generative Adversarial Nets, 2014. https://arxiv.org/abs/1411.1784; "
    "projection discriminator: Miyato & Koyama, cGANs with Projection Discriminator, ICLR 2018. "
    "https://arxiv.org/abs/1802.05637",
    default_epochs=40,
    presets=(
        Preset("cpu", "the default: DCGAN-style conv networks with one-hot labels at the data's size, "
                      "batch 64, 40 epochs"),
        Preset("paper", "Mirza & Osindero's MNIST MLPs at 28x28: 1200-unit hidden layers, one-hot labels, "
                        "dropout 0.5 in D, batch 100 (ReLU where the paper used maxout in D)",
               config={"architecture": "mlp", "label_encoding": "one_hot", "hidden_units": 1200,
                       "hidden_layers": 2, "dropout": 0.5},
               batch_size=100, image_size=28),
    ),
    default_preset="cpu",
    default_run=DefaultRun(steps=1_120, minutes=1.45, megabytes=17,
                           how="CPU time of 20- and 280-step runs at load 17-21 (start-up + 0.75 x per step)"),
)
