"""cyclegan: unpaired image-to-image translation of Zhu, Park, Isola and Efros (2017)."""

from ganzoo.plugin import DefaultRun, Plugin, Preset


plugin = Plugin(
    name="cyclegan", task="unpaired", model="ganzoo_plugins.cyclegan.model:CycleGAN",
    summary="CycleGAN of Zhu et al. 2017: unpaired translation A <-> B (ResNet generators, 70x70 PatchGANs)",
    default_dataset="chalk2ink",
    datasets=("chalk2ink", "cycle_gan/horse2zebra", "cycle_gan/monet2photo", "cycle_gan/<config>",
              "a folder with trainA/ and trainB/"),
    paper="Zhu, Park, Isola & Efros, Unpaired Image-to-Image Translation using Cycle-Consistent "
    "Adversarial Networks, ICCV 2017. https://arxiv.org/abs/1703.10593",
    # The paper trains with batch 1; batch 8 keeps `ganzoo fit cyclegan` on the embedded chalk2ink
    # set to ~300 steps and a few CPU minutes, where the known mapping is learned (G_AB error 0.035
    # against 0.616 for doing nothing; docs/plugins/cyclegan.md). `--batch-size 1` for the paper's.
    default_epochs=3,
    default_batch_size=8,
    presets=(
        Preset("cpu", "the default: the data's size (32 px chalk2ink), batch 8, 3 epochs (a few CPU minutes)"),
        Preset("paper", "the paper's 256x256 training: batch 1, 200 epochs (100 at 2e-4, 100 decaying to 0), "
                        "9 residual blocks, 50-image pools",
               config={"image_shape": (256, 256, 3)}, batch_size=1, epochs=200, image_size=256),
    ),
    default_preset="cpu",
    default_run=DefaultRun(steps=300, minutes=4.2, megabytes=257,
                           how="CPU time of 20- and 50-step runs at load 17-21 (start-up + 0.75 x per step); model.keras"
                               " is 256 MB"),
)
