"""dcgan: deep convolutional GAN of Radford, Metz and Chintala (2016)."""

from ganzoo.plugin import DefaultRun, Plugin, Preset


plugin = Plugin(
    name="dcgan", task="unconditional", model="ganzoo_plugins.dcgan.model:DCGAN",
    summary="Deep convolutional GAN of Radford et al. 2016 (28, 32, 64, 128 px)",
    default_dataset="digits",
    datasets=("digits", "mnist", "fashion_mnist", "cifar10", "celeb_a", "a folder of images"),
    paper="Radford, Metz & Chintala, Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks, ICLR 2016. https://arxiv.org/abs/1511.06434",
    default_epochs=25,
    presets=(
        Preset("cpu", "the default: the data's size (28 px digits), 64 filters, batch 64, 25 epochs "
                      "(about a minute on 2 idle CPU cores)"),
        Preset("paper", "the paper's 64x64 model: 1024 filters at 4x4 in G (generator_filters=128), "
                        "128..1024 in D, batch 128; channels follow the data (RGB on celeb_a or a folder of "
                        "faces, the paper's data; 64x64x1 on the default digits)",
               config={"image_shape": (64, 64, 3), "generator_filters": 128, "discriminator_filters": 128},
               batch_size=128, image_size=64),
    ),
    default_preset="cpu",
    default_run=DefaultRun(steps=700, minutes=0.85, megabytes=13,
                           how="CPU time of 20- and 280-step runs at load 17-21 (start-up + 0.75 x per step)"),
)
