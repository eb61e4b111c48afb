"""A Transformer block (MultiHeadAttention + residual + LayerNormalization + Dense) learns a task
that needs attention: every position must output the sequence's mean of its first features."""
import numpy as np

import lamina
from lamina import layers


def test_transformer_block_learns_to_pool_over_positions():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, 10, 32)).astype("float32")
    # The target of each position depends on all positions: only attention can supply it.
    y = np.repeat(x[:, :, :4].mean(axis=1, keepdims=True), 10, axis=1) * 3.0

    inputs = lamina.Input((10, 32))
    attended = layers.MultiHeadAttention(num_heads=2, key_dim=16)(inputs, inputs)
    hidden = layers.LayerNormalization()(inputs + attended)
    feed_forward = layers.Dense(64, activation="relu")(hidden)
    hidden = layers.LayerNormalization()(hidden + layers.Dense(32)(feed_forward))
    model = lamina.Model(inputs, layers.Dense(4)(hidden))
    model.compile(optimizer=lamina.optimizers.Adam(3e-3), loss="mse")

    baseline = float(np.mean((y - y.mean()) ** 2))
    history = model.fit(x, y, epochs=15, batch_size=64, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert losses[-1] < 0.25 * baseline
