"""GAN-INT-CLS's step (Reed et al. 2016): matching-aware discriminator and interpolated captions."""

import keras
from keras import ops

from ganzoo.schedules import second_half_decay
from hand_written.recipes.common import Recipe, d_loss_of, g_loss_of, minimax_loss, to_range


def text2image(model):
    """GAN-INT-CLS (Reed et al. 2016) with the mode-seeking term (Mao et al. 2019), as the plugin; the batch is
    `(images, token ids)` (`prepared`: the captions tokenised in the data pipeline, as the plugin's `fit()`).

    1. D on the matching-aware loss: real image + right caption is real; real image + mismatched caption (the
       batch rolled by one; a caption whose ids equal the rolled one's takes the fake term instead) and
       G(z, h) + right caption are fake, each at half weight.
    2. G on -log D(G(z, h), h) - log D(G(z', h_int), h_int), h_int = beta h + (1 - beta) h rolled by one (INT),
       + diversity_weight / (|G(z, h) - G(z', h)| / |z - z'| + 1e-5) (mode seeking).

    h = phi(t): with a frozen encoder (the cpu preset's GAN stage, after its pre-training), computed once per
    step outside the gradients; with `train_text_encoder` the encoder is part of D's player (h inside D's
    gradient) and G reads a second pass of the updated encoder, outside its gradient. The encoder's
    pre-training (the cpu preset's first `fit()`, before the GAN's first step) is not a GAN step: the ganzoo
    side of `fit_vs_loop.py` runs it in its untimed warm-up, and this step times the stage after it (the same
    work whatever the encoder's weights). Adam (beta_1 0.5) on the plugin's schedule."""
    minimax = minimax_loss(model)
    if not model.encoder_parts.splits:
        raise ValueError("the hand-written text2image step reads token ids: a text encoder whose string input "
                         "goes straight into one TextVectorization layer (the default one)")
    networks = {"generator": model.generator, "discriminator": model.discriminator,
                "text_encoder": model.encoder_parts.network}
    trained = model.train_text_encoder
    beta, weight = model.interpolation_beta, model.diversity_weight

    def adam():
        rate = second_half_decay(model.learning_rate, model.training_steps)   # the plugins' schedule
        return keras.optimizers.Adam(learning_rate=rate, beta_1=0.5, beta_2=0.999)

    def rolled(x):   # the caption before each one in the batch
        return ops.roll(x, 1, axis=0)

    def step(t, batch):
        real, tokens = to_range(batch[0]), batch[1]
        n = ops.shape(real)[0]
        z, z_other = t.normal((n, model.latent_dim)), t.normal((n, model.latent_dim))
        fixed = None if trained else t.call("text_encoder", tokens)

        def discriminator(call):
            h = call("text_encoder", tokens) if fixed is None else fixed
            fake = call("generator", [z, ops.stop_gradient(h)])
            real_logits, fake_logits = call("discriminator", [real, h]), call("discriminator", [fake, h])
            if not model.matching_aware:
                return d_loss_of(real_logits, fake_logits)
            valid = ops.logical_not(ops.all(ops.equal(tokens, rolled(tokens)), axis=-1))
            wrong_logits = ops.where(valid[:, None], call("discriminator", [real, rolled(h)]), fake_logits)
            return 0.5 * (d_loss_of(real_logits, fake_logits) + d_loss_of(real_logits, wrong_logits))

        d_loss = t.update("discriminator", discriminator)
        h = t.call("text_encoder", tokens) if fixed is None else fixed

        def generator(call):
            fake = call("generator", [z, h])
            loss = g_loss_of(call("discriminator", [fake, h]), minimax)
            if model.interpolation:
                h_int = beta * h + (1.0 - beta) * rolled(h)
                loss = loss + g_loss_of(call("discriminator", [call("generator", [z_other, h_int]), h_int]), minimax)
            if weight:
                other = call("generator", [z_other, h])
                ratio = ops.mean(ops.abs(fake - other)) / ops.mean(ops.abs(z - z_other))
                loss = loss + weight / (ratio + 1e-5)
            return loss

        g_loss = t.update("generator", generator)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": adam(), "discriminator": adam()}, step,
                  players={"discriminator": ("discriminator", "text_encoder") if trained else ("discriminator",)})
