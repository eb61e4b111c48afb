"""The subclassing guide's end-to-end example: a variational autoencoder with add_loss."""
import numpy as np

import lamina as keras
from lamina import layers, ops


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class Encoder(layers.Layer):
    """Maps digits to a triplet (z_mean, z_log_var, z)."""

    def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        z = self.sampling((z_mean, z_log_var))
        return z_mean, z_log_var, z


class Decoder(layers.Layer):
    """Converts z back into a readable digit."""

    def __init__(self, original_dim, intermediate_dim=64, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        x = self.dense_proj(inputs)
        return self.dense_output(x)


class VariationalAutoEncoder(keras.Model):
    """Combines the encoder and decoder into one end-to-end model."""

    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        # The KL divergence regularization term.
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


# Blurry "digits": a few 8x8 stroke patterns plus noise, in [0, 1].
rng = np.random.default_rng(4)
original_dim = 64
patterns = (rng.uniform(size=(5, original_dim)) > 0.6).astype("float32")
x_train = np.clip(patterns[rng.integers(0, 5, size=512)]
                  + rng.normal(0, 0.05, size=(512, original_dim)), 0, 1).astype("float32")

vae = VariationalAutoEncoder(original_dim, 32, 4)
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
vae.compile(optimizer, loss=keras.losses.MeanSquaredError())
history = vae.fit(x_train, x_train, epochs=8, batch_size=64, verbose=0)
losses = history.history["loss"]
print("VAE loss per epoch:", [round(v, 4) for v in losses])

reconstruction = vae.predict(x_train[:16], verbose=0)
reconstruction_mse = float(np.mean((reconstruction - x_train[:16]) ** 2))
vae_losses_after_predict = len(vae.losses)

# The same VAE in the functional style, with the KL term added by a layer.
latent_dim = 4
original_inputs = keras.Input(shape=(original_dim,), name="encoder_input")
x = layers.Dense(32, activation="relu")(original_inputs)
z_mean = layers.Dense(latent_dim, name="z_mean")(x)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
z = Sampling()((z_mean, z_log_var))
encoder = keras.Model(inputs=original_inputs, outputs=z, name="encoder")

latent_inputs = keras.Input(shape=(latent_dim,), name="z_sampling")
x = layers.Dense(32, activation="relu")(latent_inputs)
outputs = layers.Dense(original_dim, activation="sigmoid")(x)
decoder = keras.Model(inputs=latent_inputs, outputs=outputs, name="decoder")

outputs = decoder(z)
functional_vae = keras.Model(inputs=original_inputs, outputs=outputs, name="vae")


class KLDivergenceLayer(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        self.add_loss(-0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1))
        return z_mean


kl_output = KLDivergenceLayer()([z_mean, z_log_var])
functional_vae = keras.Model(inputs=original_inputs, outputs=[outputs, kl_output], name="vae")
functional_vae.compile(optimizer=keras.optimizers.Adam(1e-3), loss=["mse", None])
functional_history = functional_vae.fit(x_train, [x_train, np.zeros((512, latent_dim))],
                                        epochs=3, batch_size=64, verbose=0)
functional_losses = functional_history.history["loss"]
