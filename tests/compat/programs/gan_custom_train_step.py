"""A GAN as the Keras guide "Customizing fit() with PyTorch" builds it: two optimizers in train_step."""
import numpy as np
import torch

import lamina as keras
from lamina import layers, ops

latent_dim = 16

# 8x8 one-channel "digits": bright vertical or horizontal bars, in [0, 1].
rng = np.random.default_rng(1)
bars = np.zeros((512, 8, 8, 1), "float32")
for index, position in enumerate(rng.integers(1, 7, size=512)):
    if index % 2:
        bars[index, :, position - 1:position + 1, 0] = 1.0
    else:
        bars[index, position - 1:position + 1, :, 0] = 1.0
real_images = np.clip(bars + 0.05 * rng.normal(size=bars.shape), 0, 1).astype("float32")

discriminator = keras.Sequential(
    [
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ],
    name="discriminator",
)
generator = keras.Sequential(
    [
        keras.Input(shape=(latent_dim,)),
        layers.Dense(2 * 2 * 32),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((2, 2, 32)),
        layers.Conv2DTranspose(32, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(32, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (3, 3), padding="same", activation="sigmoid"),
    ],
    name="generator",
)
discriminator.summary()
generator.summary()
discriminator_params = discriminator.count_params()
generator_params = generator.count_params()
generator_output_shape = generator.output_shape


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        if isinstance(real_images, (tuple, list)):
            real_images = real_images[0]
        # Sample random points in the latent space and decode them to fake images.
        batch_size = real_images.shape[0]
        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        generated_images = self.generator(random_latent_vectors)
        # Combine them with real images, with labels telling them apart (and label noise).
        real_images = torch.tensor(real_images)
        combined_images = torch.concat([generated_images, real_images], axis=0)
        labels = torch.concat([torch.ones((batch_size, 1)), torch.zeros((batch_size, 1))],
                              axis=0)
        labels += 0.05 * keras.random.uniform(labels.shape, seed=self.seed_generator)

        # Train the discriminator.
        self.zero_grad()
        predictions = self.discriminator(combined_images)
        d_loss = self.loss_fn(labels, predictions)
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with torch.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        # Train the generator (without updating the discriminator's weights).
        random_latent_vectors = keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = torch.zeros((batch_size, 1))
        self.zero_grad()
        predictions = self.discriminator(self.generator(random_latent_vectors))
        g_loss = self.loss_fn(misleading_labels, predictions)
        grads = g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


class GANMonitor(keras.callbacks.Callback):
    """Generates a few images at the end of each epoch, as the DCGAN example does."""

    def __init__(self, num_img=3, latent_dim=16):
        super().__init__()
        self.num_img = num_img
        self.latent_dim = latent_dim
        self.shapes = []

    def on_epoch_end(self, epoch, logs=None):
        random_latent_vectors = keras.random.normal(shape=(self.num_img, self.latent_dim))
        generated_images = self.model.generator(random_latent_vectors)
        generated_images = ops.convert_to_numpy(generated_images) * 255
        self.shapes.append(generated_images.shape)


gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
gan.compile(
    d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
dataloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
    torch.from_numpy(real_images)), batch_size=64, shuffle=True)
monitor = GANMonitor(num_img=3, latent_dim=latent_dim)
history = gan.fit(dataloader, epochs=4, verbose=0, callbacks=[monitor])
gan_history_keys = sorted(history.history)
d_losses = history.history["d_loss"]
g_losses = history.history["g_loss"]
monitor_shapes = monitor.shapes
d_optimizer_iterations = int(gan.d_optimizer.iterations)
g_optimizer_iterations = int(gan.g_optimizer.iterations)
gan_weight_count = len(gan.weights)
fake = ops.convert_to_numpy(generator(keras.random.normal((8, latent_dim), seed=3)))
fake_in_unit_range = bool(fake.min() >= 0.0 and fake.max() <= 1.0)
