"""Tiny configurations of the 8 built-in plugins (the sizes of their own plugin tests)."""

VOCABULARY = ["a", "red", "blue", "circle", "square", "small", "large", "the", "top", "left"]

TINY = {
    "vanilla": {"image_shape": (8, 8, 1), "latent_dim": 16, "hidden_units": 32, "ema": 0.9},
    "dcgan": {"image_shape": (28, 28, 1), "latent_dim": 16, "generator_filters": 8, "discriminator_filters": 8},
    "cgan": {"image_shape": (28, 28, 1), "num_classes": 10, "latent_dim": 16, "architecture": "conv",
             "generator_filters": 8, "discriminator_filters": 8, "label_encoding": "embedding", "embedding_dim": 8},
    "cyclegan": {"image_shape": (32, 32, 3), "generator_filters": 4, "discriminator_filters": 4,
                 "residual_blocks": 1, "pool_size": 3, "seed": 0},
    "srgan": {"image_shape": (32, 32, 3), "generator_filters": 8, "residual_blocks": 2, "discriminator_filters": 4,
              "discriminator_dense": 16, "pretrain_steps": 1, "content_loss": "mse"},
    "stylegan": {"image_shape": (8, 8, 1), "latent_dim": 16, "style_dim": 16, "mapping_layers": 1,
                 "generator_filters": 8, "discriminator_filters": 8},
    "stylegan2": {"image_shape": (8, 8, 1), "latent_dim": 16, "style_dim": 16, "mapping_layers": 1,
                  "generator_filters": 8, "discriminator_filters": 8},
    "text2image": {"image_shape": (16, 16, 3), "vocabulary": VOCABULARY, "max_tokens": 20, "max_length": 8,
                   "word_dim": 4, "encoder_filters": 4, "text_dim": 8, "condition_dim": 4, "latent_dim": 8,
                   "generator_filters": 4, "discriminator_filters": 4, "pretrain_steps": 2},
}
