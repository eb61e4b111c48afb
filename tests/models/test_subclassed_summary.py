"""summary() of a subclassed model: its sublayers' output shapes as Keras shows them.

The expected text is Keras 3.15's (tests/fixtures/models/make_subclassed_summary.py builds
the same model there): shapes come from the shapes each layer was built with, "?" for the
layers Keras builds at construction and for custom layers without `compute_output_shape`.
"""
import pathlib

import numpy as np

import lamina as keras
from lamina import layers

EXPECTED = pathlib.Path(__file__).parents[1] / "fixtures" / "models" / "subclassed_summary.txt"


class Scale(layers.Layer):
    def call(self, x):
        return x * 2.0


class Affine(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w


class Shaped(Affine):
    def compute_output_shape(self, input_shape):
        return input_shape


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = layers.Conv2D(4, 3, padding="same", activation="relu")
        self.bn = layers.BatchNormalization()
        self.pool = layers.MaxPooling2D()
        self.drop = layers.Dropout(0.1)
        self.reshape = layers.Reshape((16, 4))
        self.lstm = layers.LSTM(5, return_sequences=True)
        self.norm = layers.LayerNormalization()
        self.mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
        self.act = layers.Activation("tanh")
        self.flat = layers.Flatten()
        self.scale = Scale()
        self.affine = Affine()
        self.shaped = Shaped()
        self.concat = layers.Concatenate()
        self.out = layers.Dense(3, activation="softmax")

    def call(self, x):
        h = self.drop(self.pool(self.bn(self.conv(x))))
        h = self.norm(self.lstm(self.reshape(h)))
        h = self.act(self.mha(h, h))
        h = self.flat(h)
        return self.out(self.concat([self.affine(self.scale(h)), self.shaped(h)]))


def test_a_trained_subclassed_models_summary_is_keras_text():
    model = Net()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.zeros((16, 8, 8, 1), "float32"), np.zeros(16, "int32"), batch_size=8, epochs=1,
              verbose=0)
    lines = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    assert "\n".join(lines) + "\n" == EXPECTED.read_text()


def test_sublayers_called_before_any_fit_show_the_shapes_they_were_built_with():
    model = Net()
    model(np.zeros((2, 8, 8, 1), "float32"))
    text = []
    model.summary(print_fn=lambda line, **_: text.append(line))
    table = "\n".join(text)
    assert "│ conv2d (Conv2D)                 │ (2, 8, 8, 4)" in table
    assert "│ dropout (Dropout)               │ ?" in table
    assert "│ scale (Scale)                   │ ?" in table
    assert "│ shaped (Shaped)                 │ (2, 80)" in table
