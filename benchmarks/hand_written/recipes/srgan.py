"""SRGAN's step (Ledig et al. 2017), either stage: SRResNet's pixel loss, then the adversarial stage."""

from keras import ops

from hand_written.recipes.common import Recipe, adam, d_loss_of, g_loss_of, to_range


def srgan(model):
    """SRGAN (Ledig et al. 2017) in the stage its step counter is in when the recipe is made (a benchmark
    times one stage at a time: the cpu preset's first 1,000 steps are stage 1, `--set pretrain_steps=0`
    starts in stage 2): SRResNet's pixel MSE, or the discriminator on real and upscaled crops (the upscaled
    ones computed once, outside the gradients) then the generator on the MSE content loss +
    adversarial_weight x -log D(G(lr)). Adam with beta_1 0.9, as the plugin."""
    config = model.get_config()
    if config["content_loss"] != "mse" or config.get("r1_gamma") or config.get("adversarial_learning_rate"):
        raise ValueError("the hand-written srgan step has the MSE content loss, no R1 and one learning rate: "
                         "--set content_loss=mse")
    networks = {"generator": model.generator, "discriminator": model.discriminator}
    adversarial = int(model.steps_done) >= model.pretrain_steps

    def pixel(images, targets):
        return ops.mean(ops.square(ops.cast(images, "float32") - targets))

    def step(t, batch):
        low_res, high_res = to_range(batch[0]), to_range(batch[1])  # float32: the bicubic skip keeps it
        if not adversarial:
            return {"mse_loss": t.update("generator", lambda call: pixel(call("generator", low_res), high_res))}
        super_res = t.call("generator", low_res)
        d_loss = t.update("discriminator", lambda call: d_loss_of(
            ops.cast(call("discriminator", high_res), "float32"), ops.cast(call("discriminator", super_res), "float32")))

        def perceptual(call):
            upscaled = call("generator", low_res)
            fake_logits = ops.cast(call("discriminator", upscaled), "float32")
            return pixel(upscaled, high_res) + model.adversarial_weight * g_loss_of(fake_logits)

        t.update("generator", perceptual)
        # The content loss of the generator's pass (G has not moved since super_res: the same MSE).
        return {"d_loss": d_loss, "content_loss": pixel(super_res, high_res)}

    return Recipe(networks, {"generator": adam(model, 0.9), "discriminator": adam(model, 0.9)}, step)
