"""summary(explain=True): formulas with the numbers, and the plain table unchanged."""
import io
from contextlib import redirect_stdout

import pytest

import lamina
from lamina import layers
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

    layer = Scale()
    layer(lamina.ops.ones((1, 3)))
    assert explain_params(layer) == "Scale: scale 3 × 2 = 6"


# One built example per layer class with weights; the formula's arithmetic must give the count.
_EXAMPLES = [
    ("Dense", {"units": 100}, (None, 784)),
    ("Conv1D", {"filters": 4, "kernel_size": 3}, (None, 10, 2)),
    ("Conv2D", {"filters": 32, "kernel_size": 3}, (None, 28, 28, 1)),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "groups": 2}, (None, 8, 8, 4)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "use_bias": False}, (None, 4, 4, 4, 3)),
    ("Conv2DTranspose", {"filters": 6, "kernel_size": 3}, (None, 7, 7, 4)),
    ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}, (None, 8, 8, 3)),
    ("SeparableConv2D", {"filters": 5, "kernel_size": 3}, (None, 8, 8, 3)),
    ("LSTM", {"units": 16}, (None, 20, 8)),
    ("GRU", {"units": 16}, (None, 20, 8)),
    ("GRU", {"units": 16, "reset_after": False}, (None, 20, 8)),
    ("SimpleRNN", {"units": 16}, (None, 20, 8)),
    ("BatchNormalization", {}, (None, 8, 8, 64)),
    ("LayerNormalization", {}, (None, 10, 32)),
    ("Embedding", {"input_dim": 10000, "output_dim": 16}, (None, 20)),
    ("PReLU", {}, (None, 6)),
]


def _evaluate(formula: str) -> int:
    """The arithmetic of a formula line: words dropped, × as *, thousands separators removed."""
    import re

    body = formula.split(":", 1)[1]
    if "total" in body:
        return int(body.rsplit("total", 1)[1].replace(",", ""))
    expression = body.rsplit("=", 1)[0].split("(reset_after")[0].replace(",", "").replace("×", "*")
    expression = re.sub(r"[A-Za-z_'\-]+", " ", expression)
    expression = re.sub(r"\(\s*\)", "", expression).strip()
    return int(eval(expression)) if expression else 0  # noqa: S307 (digits and operators only)


@pytest.mark.parametrize("class_name, config, shape", _EXAMPLES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(_EXAMPLES)])
def test_formula_arithmetic_equals_count_params(class_name, config, shape):
    layer_class = getattr(layers, class_name, None)
    assert layer_class is not None, f"lamina.layers.{class_name} is missing"
    layer = layer_class(**config)
    inputs = lamina.Input(shape[1:], dtype="int32" if class_name == "Embedding" else "float32")
    if class_name == "MultiHeadAttention":
        layer(inputs, inputs)
    else:
        layer(inputs)
    formula = explain_params(layer)
    assert formula.startswith(f"{class_name}:")
    assert _evaluate(formula) == layer.count_params(), formula
