"""Weight initialisers the GAN papers share."""

import keras


def normal_init(stddev=0.02):
    """N(0, 0.02), the initialisation of DCGAN (Radford et al. 2016), pix2pix
    and CycleGAN."""
    return keras.initializers.RandomNormal(0.0, stddev)


def gamma_init():
    """BatchNorm scale drawn from N(1, 0.02), as the DCGAN reference code does."""
    return keras.initializers.RandomNormal(1.0, 0.02)
