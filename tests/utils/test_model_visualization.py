"""plot_model: the graph's boxes and arrows, saved as a real picture."""
import re

import numpy as np
import pytest
from PIL import Image

import lamina
from lamina import layers
from lamina.utils.model_visualization import model_graph, plot_model


def _branching_model():
    inputs = lamina.Input((8,), name="features")
    left, right = layers.Dense(4, name="left")(inputs), layers.Dense(4, name="right")(inputs)
    merged = layers.Concatenate(name="merge")([left, right])
    return lamina.Model(inputs, layers.Dense(1, name="score")(merged))


def test_graph_has_branches_and_merges():
    boxes, edges = model_graph(_branching_model())
    names = [box.name for box in boxes]
    named_edges = {(names[a], names[b]) for a, b in edges}
    assert named_edges == {("features", "left"), ("features", "right"), ("left", "merge"),
                           ("right", "merge"), ("merge", "score")}


def test_sequential_graph_is_a_chain_from_its_input():
    model = lamina.Sequential([lamina.Input((28, 28)), layers.Flatten(name="flat"), layers.Dense(10, name="out")])
    boxes, edges = model_graph(model)
    assert [type(b).__name__ for b in boxes] == ["InputLayer", "Flatten", "Dense"]
    assert edges == [(0, 1), (1, 2)]


def test_tensor_operations_are_boxes_labelled_with_keras_class_names():
    from lamina.utils.model_visualization import _label

    inputs = lamina.Input((8,), name="features")
    model = lamina.Model(inputs, layers.Dense(1, name="score")(1.0 - inputs))
    boxes, edges = model_graph(model)
    assert [box.name for box in boxes] == ["features", "subtract", "score"]
    assert edges == [(0, 1), (1, 2)]
    assert _label(boxes[1], False, False, True, False, False) == "subtract (Subtract)"


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_picture_is_written_and_not_blank(tmp_path, suffix):
    path = tmp_path / f"model.{suffix}"
    figure = plot_model(_branching_model(), to_file=path, show_shapes=True, show_dtype=True,
                        show_layer_names=True)
    assert path.stat().st_size > 1000
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "left (Dense)\noutput: (None, 4)\ndtype: float32" in texts
    assert len(figure.axes[0].texts) == 5 + 5  # five boxes and five arrows (annotations)
    if suffix == "png":
        pixels = np.asarray(Image.open(path).convert("L"))
        assert pixels.shape[0] > 200 and pixels.shape[1] > 200 and pixels.std() > 5


def test_keras_defaults_show_the_layer_types_alone():
    figure = plot_model(_branching_model(), to_file=None)
    assert "Dense" in [t.get_text() for t in figure.axes[0].texts]


@pytest.mark.parametrize("arguments, message", [
    ({"layer_range": ["a", "b"]}, "Argument `layer_range` is no longer supported."),
    ({"show_layer_name": True}, "Unrecognized keyword arguments: {'show_layer_name': True}"),
])
def test_keras_refusals(arguments, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        plot_model(_branching_model(), to_file=None, **arguments)


def test_an_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="This model has not yet been built"):
        plot_model(lamina.Sequential([lamina.layers.Dense(2)]), to_file=None)


def test_rankdir_is_checked():
    with pytest.raises(ValueError, match="rankdir"):
        plot_model(_branching_model(), to_file=None, rankdir="BT")
