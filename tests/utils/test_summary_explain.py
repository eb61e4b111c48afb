"""summary(explain=True): formulas with the numbers, and the plain table unchanged."""
import inspect
import io
import re
from contextlib import redirect_stdout

import pytest
import torch

import lamina
from lamina import layers
from lamina.utils import summary_explain
from lamina.utils.summary_explain import explain_lines, explain_params


def _printed(model, **kwargs) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        model.summary(**kwargs)
    return buffer.getvalue()


def test_dense_and_flatten_formulas():
    model = lamina.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(100), layers.Dense(10, use_bias=False)])
    assert explain_lines(model.layers) == [
        f"{model.layers[0].name}: Flatten: 28 × 28 = 784 values per sample, no weights = 0",
        f"{model.layers[1].name}: Dense: 784 inputs × 100 units + 100 biases = 78,500",
        f"{model.layers[2].name}: Dense: 100 inputs × 10 units = 1,000",
    ]


def test_plain_summary_is_unchanged_and_explain_appends():
    model = lamina.Sequential([layers.Dense(3, input_shape=(4,))], name="tiny")
    plain, explained = _printed(model), _printed(model, explain=True)
    assert explained.startswith(plain)
    assert "Where the parameters come from:" in explained[len(plain):]
    assert "Dense: 4 inputs × 3 units + 3 biases = 15" in explained


def test_custom_layer_lists_its_weights():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.add_weight(shape=(input_shape[-1], 2), name="scale")

        def call(self, x):
            return x

    layer = Scale()
    layer(lamina.ops.ones((1, 3)))
    assert explain_params(layer) == "Scale: scale 3 × 2 = 6"


# One built example per layer class with weights; the formula's arithmetic must give the count.
# A layer is built by calling it on symbolic inputs of these shapes (the batch axis first).
_EXAMPLES = [
    ("Dense", {"units": 100}, (None, 784)),
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 10, 2)),
    ("Conv2D", {"filters": 32, "kernel_size": 3}, (None, 28, 28, 1)),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 2}, (None, 8, 8, 4)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "use_bias": False}, (None, 4, 4, 4, 3)),
    ("Conv1DTranspose", {"filters": 3, "kernel_size": 2}, (None, 5, 2)),
    ("Conv2DTranspose", {"filters": 6, "kernel_size": 3}, (None, 7, 7, 4)),
    ("Conv3DTranspose", {"filters": 3, "kernel_size": 2}, (None, 4, 4, 4, 2)),
    ("DepthwiseConv1D", {"kernel_size": 3}, (None, 5, 2)),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, (None, 8, 8, 3)),
    ("SeparableConv1D", {"filters": 3, "kernel_size": 2}, (None, 5, 2)),
    ("SeparableConv2D", {"filters": 5, "kernel_size": 3}, (None, 8, 8, 3)),
    ("LSTM", {"units": 16}, (None, 20, 8)),
    ("GRU", {"units": 16}, (None, 20, 8)),
    ("GRU", {"units": 16, "reset_after": False}, (None, 20, 8)),
    ("SimpleRNN", {"units": 16}, (None, 20, 8)),
    ("LSTMCell", {"units": 4}, (None, 3)),
    ("GRUCell", {"units": 4}, (None, 3)),
    ("SimpleRNNCell", {"units": 4, "use_bias": False}, (None, 3)),
    ("ConvLSTM2D", {"filters": 4, "kernel_size": 3}, (None, 3, 8, 8, 2)),
    ("ConvLSTM2DCell", {"filters": 4, "kernel_size": 3}, (None, 8, 8, 2)),
    ("RNN", {"cell": lambda: layers.LSTMCell(4)}, (None, 5, 3)),
    ("RNN", {"cell": lambda: [layers.LSTMCell(4), layers.GRUCell(2)]}, (None, 5, 3)),
    ("StackedRNNCells", {"cells": lambda: [layers.LSTMCell(4), layers.SimpleRNNCell(2)]},
     (None, 3)),
    ("Bidirectional", {"layer": lambda: layers.GRU(4)}, (None, 5, 3)),
    ("TimeDistributed", {"layer": lambda: layers.Dense(4)}, (None, 5, 3)),
    ("BatchNormalization", {}, (None, 8, 8, 64)),
    ("BatchNormalization", {"center": False}, (None, 5)),
    ("LayerNormalization", {}, (None, 10, 32)),
    ("LayerNormalization", {"scale": False}, (None, 10, 32)),
    ("GroupNormalization", {"groups": 2}, (None, 8, 8, 4)),
    ("RMSNormalization", {}, (None, 10, 32)),
    ("Normalization", {}, (None, 5)),
    ("Embedding", {"input_dim": 10000, "output_dim": 16}, (None, 20)),
    ("PReLU", {}, (None, 6)),
    ("PReLU", {"shared_axes": [1, 2]}, (None, 4, 4, 3)),
    ("Attention", {"use_scale": True}, [(None, 5, 8), (None, 6, 8)]),
    ("Attention", {"score_mode": "concat"}, [(None, 5, 8), (None, 6, 8)]),
    ("AdditiveAttention", {}, [(None, 5, 8), (None, 6, 8)]),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 16}, (None, 10, 32)),
    ("MultiHeadAttention", {"num_heads": 3, "key_dim": 4, "value_dim": 5, "use_bias": False,
                            "output_shape": 7}, (None, 6, 12)),
    ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (None, 2, 4),
                     "bias_axes": "de"}, (None, 5, 8)),
    ("SpectralNormalization", {"layer": lambda: layers.Dense(6)}, (None, 4)),
    ("TorchModuleWrapper", {"module": lambda: torch.nn.Linear(4, 3)}, (None, 4)),
    ("ConvLSTM1D", {"filters": 3, "kernel_size": 2}, (None, 4, 6, 2)),
    ("ConvLSTM3D", {"filters": 2, "kernel_size": 2, "use_bias": False}, (None, 2, 4, 4, 4, 1)),
    ("GroupedQueryAttention", {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2,
                               "use_gate": True}, (None, 5, 8)),
    ("ReversibleEmbedding", {"input_dim": 10, "output_dim": 4}, (None, 3)),
    ("ReversibleEmbedding", {"input_dim": 10, "output_dim": 4, "tie_weights": False}, (None, 3)),
    ("STFTSpectrogram", {"frame_length": 16, "fft_length": 16}, (None, 64, 1)),
]

# Public layer classes that hold no weights of their own (checked below: none calls add_weight).
_WEIGHTLESS = {
    "Activation", "ActivityRegularization", "Add", "AlphaDropout", "Average", "AveragePooling1D",
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "HashedCrossing",
    "MelSpectrogram",
    "AveragePooling2D", "AveragePooling3D", "CategoryEncoding",
    # image augmentation: random or fixed pixel transforms, no weights
    "AutoContrast", "CutMix", "Equalization", "MixUp", "Pipeline", "RandAugment",
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomErasing",
    "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization",
    "RandomSaturation", "RandomSharpness", "RandomShear", "Solarization", "CenterCrop", "Concatenate",
    "AugMix", "ContrastLimitedAdaptiveHistogramEqualization", "RandomElasticTransform",
    "RandomGaussianBlur",
    "Cropping1D", "Cropping2D", "Cropping3D", "Discretization", "Dot", "Dropout", "ELU",
    "Flatten", "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    "GlobalMaxPool3D", "Hashing", "Identity", "InputLayer", "IntegerLookup", "Lambda", "Layer",
    "LeakyReLU", "Masking", "MaxPool1D", "MaxPool2D", "MaxPool3D", "Maximum", "Minimum",
    "Multiply", "Permute", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
    "RandomTranslation", "RandomZoom", "ReLU", "RepeatVector", "Rescaling", "Reshape",
    "Resizing", "Softmax", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "StringLookup", "Subtract", "TextVectorization", "UnitNormalization", "UpSampling1D",
    "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
}


def _public_layer_classes() -> dict:
    """Every class `lamina.layers` exports, once (aliases such as Convolution2D collapse),
    but the abstract ones (Layer, Wrapper: no `call` of their own, as in Keras)."""
    found = {}
    for name in sorted(dir(layers)):
        value = getattr(layers, name)
        if (inspect.isclass(value) and issubclass(value, layers.Layer)
                and value.call is not layers.Layer.call):
            found.setdefault(value, name)
    return {name: cls for cls, name in found.items()}


def _evaluate(formula: str) -> int:
    """The arithmetic of a formula line: words dropped, × as *, thousands separators removed."""
    body = formula.split(":", 1)[1]
    expression = body.rsplit("=", 1)[0].replace(",", "").replace("×", "*")
    expression = re.sub(r"[A-Za-z_'\-]+", " ", expression)
    expression = re.sub(r"\(\s*\)", "", expression).strip()
    assert re.fullmatch(r"[\d\s*+()]*", expression), formula
    return int(eval(expression)) if expression else 0


def _built(class_name, config, shape):
    config = {key: value() if callable(value) else value for key, value in config.items()}
    layer = getattr(layers, class_name)(**config)
    if class_name.endswith("Cell") or class_name == "StackedRNNCells":
        layer.build(shape)
        return layer
    shapes = shape if isinstance(shape, list) else [shape]
    dtype = "int32" if class_name.endswith("Embedding") else "float32"
    inputs = [lamina.Input(s[1:], dtype=dtype) for s in shapes]
    if class_name in ("MultiHeadAttention", "GroupedQueryAttention"):
        layer(inputs[0], inputs[0])
    else:
        layer(inputs if isinstance(shape, list) else inputs[0])
    return layer


@pytest.mark.parametrize("class_name, config, shape", _EXAMPLES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(_EXAMPLES)])
def test_formula_arithmetic_equals_count_params(class_name, config, shape):
    layer = _built(class_name, config, shape)
    assert layer.count_params() > 0
    formula = explain_params(layer)
    assert formula.startswith(f"{class_name}:")
    assert type(layer).__name__ in summary_explain._FORMULAS, "a formula of its own, not the list"
    assert _evaluate(formula) == layer.count_params(), formula


def test_every_public_layer_class_with_weights_has_an_example():
    covered = {getattr(layers, name) for name in
               {class_name for class_name, _, _ in _EXAMPLES} | _WEIGHTLESS}
    assert sorted(name for name, cls in _public_layer_classes().items() if cls not in covered) == []


@pytest.mark.parametrize("class_name", sorted(_WEIGHTLESS))
def test_layers_listed_as_weightless_create_no_weights(class_name):
    cls = getattr(layers, class_name)
    sources = [inspect.getsource(k) for k in cls.__mro__
               if k.__module__.startswith("lamina.layers") and k is not layers.Layer]
    assert not any("add_weight" in source for source in sources)


def test_multi_head_attention_explains_each_projection():
    layer = _built("MultiHeadAttention", {"num_heads": 2, "key_dim": 16}, (None, 10, 32))
    assert explain_params(layer) == (
        "MultiHeadAttention: query (32 inputs × 2 heads × 16 dims + 2 × 16 biases) + "
        "key (32 inputs × 2 heads × 16 dims + 2 × 16 biases) + "
        "value (32 inputs × 2 heads × 16 dims + 2 × 16 biases) + "
        "output (2 heads × 16 dims × 32 units + 32 biases) = 4,224")


def test_wrappers_nest_the_inner_formula():
    layer = _built("Bidirectional", {"layer": lambda: layers.LSTM(4)}, (None, 5, 3))
    inner = "4 gates × (4 units × (3 inputs + 4 units) + 4 biases)"
    assert explain_params(layer) == f"Bidirectional: forward LSTM ({inner}) + backward LSTM ({inner}) = 256"
