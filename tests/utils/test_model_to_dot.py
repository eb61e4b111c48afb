"""keras.utils.model_to_dot: Keras' ImportError without pydot; with pydot, the graph of
plot_model (checked with a small stand-in for pydot's classes)."""
import sys
import types

import pytest

import lamina as keras


class _Graph:
    def __init__(self, **attributes):
        self.attributes, self.nodes, self.edges = dict(attributes), [], []

    def set(self, key, value):
        self.attributes[key] = value

    def set_node_defaults(self, **defaults):
        self.attributes["node_defaults"] = defaults

    def add_node(self, node):
        self.nodes.append(node)

    def add_edge(self, edge):
        self.edges.append(edge)


class _Node:
    def __init__(self, name, label):
        self.name, self.label = name, label


class _Edge:
    def __init__(self, source, target):
        self.source, self.target = source, target


@pytest.fixture
def fake_pydot(monkeypatch):
    module = types.SimpleNamespace(Dot=_Graph, Cluster=_Graph, Node=_Node, Edge=_Edge)
    monkeypatch.setitem(sys.modules, "pydot", module)
    return module


def _branching_model():
    inputs = keras.Input((4,), name="features")
    left = keras.layers.Dense(2, name="left")(inputs)
    right = keras.layers.Dense(2, name="right")(inputs)
    return keras.Model(inputs, keras.layers.Add(name="sum")([left, right]))


def test_without_pydot_raises_keras_import_error(monkeypatch):
    for name in ("pydot", "pydot_ng", "pydotplus"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"You must install pydot \(`pip install pydot`\) "
                                          "for model_to_dot to work."):
        keras.utils.model_to_dot(_branching_model())


def test_graph_has_a_node_per_layer_and_an_edge_per_connection(fake_pydot):
    dot = keras.utils.model_to_dot(_branching_model(), show_shapes=True, rankdir="LR", dpi=96)
    assert dot.attributes["rankdir"] == "LR" and dot.attributes["dpi"] == 96
    assert dot.attributes["node_defaults"] == {"shape": "record"}
    labels = [node.label.splitlines()[0] for node in dot.nodes]
    assert labels == ["features (InputLayer)", "left (Dense)", "right (Dense)", "sum (Add)"]
    names = {node.name: node.label.split(" ")[0] for node in dot.nodes}
    edges = sorted((names[e.source], names[e.target]) for e in dot.edges)
    assert edges == [("features", "left"), ("features", "right"), ("left", "sum"),
                     ("right", "sum")]
    assert "output:" in dot.nodes[1].label


def test_subgraph_sequential_and_argument_errors(fake_pydot):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)],
                             name="stack")
    cluster = keras.utils.model_to_dot(model, subgraph=True)
    assert cluster.attributes["graph_name"] == "stack" and len(cluster.edges) == 2
    with pytest.raises(ValueError, match="`layer_range` is no longer supported"):
        keras.utils.model_to_dot(model, layer_range=["a", "b"])
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        keras.utils.model_to_dot(model, colour=True)
    with pytest.raises(ValueError, match="This model has not yet been built"):
        keras.utils.model_to_dot(keras.Sequential([keras.layers.Dense(1)]))
