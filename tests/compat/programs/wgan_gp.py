"""WGAN-GP (keras.io) on the torch idioms: n critic steps, a gradient penalty, two optimizers."""
import numpy as np
import torch

import lamina as keras
from lamina import layers, ops

noise_dim = 8
rng = np.random.default_rng(5)
# A two-dimensional "data set": points on a ring of radius 2.
angles = rng.uniform(0, 2 * np.pi, size=1024)
real_points = np.stack([2 * np.cos(angles), 2 * np.sin(angles)], axis=1).astype("float32")
real_points += 0.05 * rng.normal(size=real_points.shape).astype("float32")


def get_critic_model():
    inputs = layers.Input(shape=(2,))
    x = layers.Dense(64)(inputs)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Dense(64)(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Dropout(0.0)(x)
    outputs = layers.Dense(1)(x)
    return keras.models.Model(inputs, outputs, name="critic")


def get_generator_model():
    noise = layers.Input(shape=(noise_dim,))
    x = layers.Dense(64, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Dense(64)(x)
    x = layers.LeakyReLU(0.2)(x)
    outputs = layers.Dense(2)(x)
    return keras.models.Model(noise, outputs, name="generator")


critic = get_critic_model()
generator = get_generator_model()
critic.summary()
generator.summary()
critic_params = critic.count_params()
generator_params = generator.count_params()
generator_trainable = len(generator.trainable_weights)
generator_non_trainable = len(generator.non_trainable_weights)


class WGAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim, discriminator_extra_steps=3,
                 gp_weight=10.0):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_steps = discriminator_extra_steps
        self.gp_weight = gp_weight
        self.seed_generator = keras.random.SeedGenerator(42)
        self.built = True  # its parts are built models; fit need not build it

    def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_loss_fn = d_loss_fn
        self.g_loss_fn = g_loss_fn

    def gradient_penalty(self, batch_size, real_images, fake_images):
        """The critic's gradient norm on points between real and fake, pushed towards 1."""
        alpha = keras.random.uniform((batch_size, 1), 0.0, 1.0, seed=self.seed_generator)
        interpolated = real_images + alpha * (fake_images - real_images)
        interpolated = interpolated.detach().requires_grad_(True)
        pred = self.discriminator(interpolated, training=True)
        grads = torch.autograd.grad(pred, interpolated, grad_outputs=torch.ones_like(pred),
                                    create_graph=True)[0]
        norm = ops.sqrt(ops.sum(ops.square(grads), axis=1))
        return ops.mean((norm - 1.0) ** 2)

    def train_step(self, real_images):
        if isinstance(real_images, (tuple, list)):
            real_images = real_images[0]
        batch_size = real_images.shape[0]
        for _ in range(self.d_steps):
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            self.zero_grad()
            fake_images = self.generator(random_latent_vectors, training=True).detach()
            fake_logits = self.discriminator(fake_images, training=True)
            real_logits = self.discriminator(real_images, training=True)
            d_cost = self.d_loss_fn(real_img=real_logits, fake_img=fake_logits)
            gp = self.gradient_penalty(batch_size, real_images, fake_images)
            d_loss = d_cost + gp * self.gp_weight
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        self.zero_grad()
        generated_images = self.generator(random_latent_vectors, training=True)
        gen_img_logits = self.discriminator(generated_images, training=True)
        g_loss = self.g_loss_fn(gen_img_logits)
        g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}


def discriminator_loss(real_img, fake_img):
    real_loss = ops.mean(real_img)
    fake_loss = ops.mean(fake_img)
    return fake_loss - real_loss


def generator_loss(fake_img):
    return -ops.mean(fake_img)


generator_optimizer = keras.optimizers.Adam(learning_rate=0.0005, beta_1=0.5, beta_2=0.9)
discriminator_optimizer = keras.optimizers.Adam(learning_rate=0.0005, beta_1=0.5, beta_2=0.9)
wgan = WGAN(discriminator=critic, generator=generator, latent_dim=noise_dim,
            discriminator_extra_steps=3)
wgan.compile(d_optimizer=discriminator_optimizer, g_optimizer=generator_optimizer,
             g_loss_fn=generator_loss, d_loss_fn=discriminator_loss)
initial_radius = float(np.mean(np.linalg.norm(
    ops.convert_to_numpy(generator.predict(rng.normal(size=(256, noise_dim)), verbose=0)),
    axis=1)))
history = wgan.fit(real_points, batch_size=128, epochs=30, verbose=0)
wgan_history_keys = sorted(history.history)
d_optimizer_iterations = int(discriminator_optimizer.iterations)
g_optimizer_iterations = int(generator_optimizer.iterations)
moving_mean_moved = bool(np.any(ops.convert_to_numpy(
    generator.layers[2].moving_mean) != 0))
samples = generator.predict(rng.normal(size=(256, noise_dim)).astype("float32"), verbose=0)
final_radius = float(np.mean(np.linalg.norm(samples, axis=1)))
sample_shape = samples.shape
