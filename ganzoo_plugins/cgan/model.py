"""The conditional GAN: the two-pass GAN step with the class label given to both players."""

import keras
from keras import ops

from ganzoo.model import GAN, adam
from ganzoo.errors import GanzooError
from ganzoo.tasks.conditional import check_labels
from ganzoo_plugins.cgan import networks


@keras.saving.register_keras_serializable(package="ganzoo", name="cgan")
class ConditionalGAN(GAN):
    """Conditional GAN (Mirza & Osindero, 2014): generate an image of a chosen class.

    Both players are told the class label y. The forger G(z, y) learns to draw
    an image of class y; the investigator D(x, y) learns to tell a real image
    of class y from a forged one, so a forged "7" that looks like a "3" is
    caught. The game is the GAN minimax game with y added to both networks,

        min_G max_D  E_{x,y}[log D(x, y)] + E_{z,y}[log(1 - D(G(z, y), y))],

    trained by alternating steps: D with G frozen, then G with D frozen.

    Architectures:
        "mlp": the paper's multilayer perceptrons; e(y) (one-hot or a learned
            embedding) is concatenated to z in G and to the flattened image in D.
        "conv": DCGAN-style networks (Radford et al. 2016): e(y) concatenated
            to z before G's projection; in D, e(y) as label maps concatenated
            to the image channels. Learns the label far faster than the MLP.
        "auto" (default): "conv" for square images of at least 28 px whose
            size is 4 or 7 times a power of two (28, 32, 64, ...), else "mlp".

    Discriminators:
        "concat": the label enters D's input, as above.
        "projection": Miyato & Koyama (2018): the label enters only at the
            output, D(x, y) = psi(phi(x)) + <embed(y), phi(x)>, where phi(x) is
            D's last (flattened) features.

    Paper: https://arxiv.org/abs/1411.1784 (projection: https://arxiv.org/abs/1802.05637)

    Args:
        image_shape: (height, width, channels) of the images; "conv" needs a
            square size of 4 or 7 times a power of two (16, 28, 32, 64, ...).
        num_classes: number of classes; labels are 0 .. num_classes - 1.
            `ganzoo fit` sets it from the dataset.
        latent_dim: size of z ~ N(0, I) (the paper: 100).
        architecture: "auto", "mlp" or "conv" (see above).
        discriminator_type: "concat" (the label enters D's input) or
            "projection" (Miyato & Koyama 2018). Was `discriminator`, a name
            `self.discriminator` (the network) already has; that name still
            works, with a DeprecationWarning.
        label_encoding: how y enters the networks: "one_hot" (the paper; on the
            digits it taught both architectures the label in fewer steps) or
            "embedding" (a learned vector of `embedding_dim`).
        embedding_dim: size of the learned label embedding (label_encoding="embedding").
        generator_filters: conv: filters of G's last hidden layer, doubled at
            each coarser resolution.
        discriminator_filters: conv: filters of D's first layer, doubled at each
            coarser resolution.
        hidden_units: mlp: units of each hidden layer of both networks.
        hidden_layers: mlp: hidden layers in each network.
        dropout: mlp: dropout rate after each hidden layer of D.
        learning_rate: Adam learning rate of both networks (beta_1 0.5).
        loss: adversarial loss name (see `ganzoo.losses.LOSSES`).
        seed: seed of the model's random stream.

    Example:

    ```python
    model = ganzoo.create("cgan", image_shape=(28, 28, 1), num_classes=10)
    model.compile()
    model.fit(ganzoo.data.load("digits", model), epochs=40)
    sevens = model.generate(labels=[7] * 16, seed=0)   # (16, 28, 28, 1) in [0, 1]
    ```
    """

    task = "conditional"
    renamed_options = {"discriminator": "discriminator_type"}

    def __init__(self, image_shape=(28, 28, 1), num_classes=10, latent_dim=100, architecture="auto",
                 discriminator_type="concat", label_encoding="one_hot", embedding_dim=50, generator_filters=64,
                 discriminator_filters=64, hidden_units=512, hidden_layers=2, dropout=0.3, learning_rate=2e-4,
                 loss="non_saturating", seed=None, **kwargs):
        super().__init__(image_shape=image_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        if isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 2:
            raise GanzooError(f"num_classes must be an integer >= 2; got {num_classes!r}")
        _check_choice("architecture", architecture, ("auto", *networks.ARCHITECTURES))
        _check_choice("discriminator_type", discriminator_type, networks.DISCRIMINATORS)
        _check_choice("label_encoding", label_encoding, networks.LABEL_ENCODINGS)
        self.num_classes = int(num_classes)
        self.architecture = resolve_architecture(architecture, self.image_shape)
        self.discriminator_type = discriminator_type
        self.label_encoding = label_encoding
        self.embedding_dim = int(embedding_dim)
        self.learning_rate = learning_rate
        self.default_loss = loss
        if self.architecture == "conv":
            self.generator = networks.build_conv_generator(
                self.image_shape, self.latent_dim, self.num_classes, generator_filters, label_encoding,
                self.embedding_dim)
            self.discriminator = networks.build_conv_discriminator(
                self.image_shape, self.num_classes, discriminator_filters, discriminator_type, label_encoding,
                self.embedding_dim)
        else:
            self.generator = networks.build_mlp_generator(
                self.image_shape, self.latent_dim, self.num_classes, hidden_units, hidden_layers, label_encoding,
                self.embedding_dim)
            self.discriminator = networks.build_mlp_discriminator(
                self.image_shape, self.num_classes, hidden_units, hidden_layers, dropout, discriminator_type,
                label_encoding, self.embedding_dim)

    def default_optimizers(self):
        return {"generator": adam(self.learning_rate), "discriminator": adam(self.learning_rate)}

    # ------------------------------------------------------------------ the game
    def conditional_discriminator_loss(self, real, labels, z):
        """The investigator's loss: real images of class y are real, G(z, y) is forged."""
        fake = self.generator([z, labels], training=True)
        return self.loss.discriminator(self.discriminator([real, labels], training=True),
                                       self.discriminator([fake, labels], training=True))

    def conditional_generator_loss(self, z, labels):
        """The forger's loss: make D call G(z, y) a real image of class y."""
        fake = self.generator([z, labels], training=True)
        return self.loss.generator(self.discriminator([fake, labels], training=True))

    def train_step(self, data):
        # (images, labels) from a dataset; fit(x=, y=) and train_on_batch add a sample weight.
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = self.to_network_range(images)    # data arrive in [0, 1]; tanh works in [-1, 1]
        labels = ops.cast(labels, "int32")
        z = self.sample_latent(ops.shape(real)[0])
        # 1. Freeze the generator, train the discriminator on (real, y) against
        #    (G(z, y), y). The forgeries use the real batch's labels (the standard
        #    choice: fakes then have the data's class frequencies).
        d_loss = self.update(self.discriminator, self.optimizer["discriminator"],
                             lambda: self.conditional_discriminator_loss(real, labels, z))
        # 2. Freeze the discriminator, train the generator to make D accept G(z, y) as class y.
        g_loss = self.update(self.generator, self.optimizer["generator"],
                             lambda: self.conditional_generator_loss(z, labels))
        return self.track(d_loss=d_loss, g_loss=g_loss)

    # ------------------------------------------------------------------ generation
    def check_labels(self, labels):
        """Labels as an int32 array of shape (n,); `GanzooError` if any is not
        a whole number in 0 .. num_classes - 1 (the conditional task's check)."""
        return check_labels(labels, self.num_classes)

    def generate_batch(self, n, seed, labels=None):
        generator = self.averaged(self.generator)
        return generator([self.sample_latent(n, seed), ops.convert_to_tensor(labels, "int32")], training=False)


def resolve_architecture(architecture, image_shape):
    """The architecture that "auto" stands for at this image shape."""
    if architecture != "auto":
        return architecture
    height, width, _ = image_shape
    if height == width and height >= 28 and networks.resolution_plan(height) is not None:
        return "conv"
    return "mlp"


def _check_choice(option, value, choices):
    if value not in choices:
        raise GanzooError(f"{option} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
