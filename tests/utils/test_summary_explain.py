"""summary(explain=True): formulas with the numbers, and the plain table unchanged."""
import io
from contextlib import redirect_stdout

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
