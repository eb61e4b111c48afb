"""`get_config` / `from_config` round trips for every public class lamina has.

One parametrized test over the layers, models, optimizers, learning-rate schedules, losses,
metrics, initializers, regularizers and constraints: each rebuilt object has the same
config, directly and through `serialize_keras_object` -> JSON -> `deserialize_keras_object`.
"""
import json

import contextlib

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.optimizers import schedules
from lamina.saving import deserialize_keras_object, serialize_keras_object
from lamina.saving.serialization_lib import SafeModeScope

NAMESPACES = {"layers": lamina.layers, "models": lamina.models, "optimizers": lamina.optimizers,
              "schedules": schedules, "losses": lamina.losses, "metrics": lamina.metrics,
              "initializers": lamina.initializers, "regularizers": lamina.regularizers,
              "constraints": lamina.constraints}


def _functional():
    inputs = lamina.Input((3,), name="x")
    return lamina.Model(inputs, layers.Dense(2, name="y")(inputs), name="graph")


# Constructor arguments of the classes that have required ones.
ARGUMENTS = {
    "Activation": lambda: layers.Activation("relu"),
    **{f"Adaptive{kind}Pooling{rank}D": (lambda name: lambda: getattr(layers, name)(2))(
        f"Adaptive{kind}Pooling{rank}D") for kind in ("Average", "Max") for rank in (1, 2, 3)},
    "ConvLSTM1D": lambda: layers.ConvLSTM1D(2, 3), "ConvLSTM3D": lambda: layers.ConvLSTM3D(2, 3),
    "GroupQueryAttention": lambda: layers.GroupQueryAttention(4, 4, 2),
    "GroupedQueryAttention": lambda: layers.GroupedQueryAttention(4, 4, 2),
    "ReversibleEmbedding": lambda: layers.ReversibleEmbedding(10, 3),
    "AlphaDropout": lambda: layers.AlphaDropout(0.2),
    "Bidirectional": lambda: layers.Bidirectional(layers.LSTM(2)),
    "CategoryEncoding": lambda: layers.CategoryEncoding(num_tokens=4),
    "CenterCrop": lambda: layers.CenterCrop(4, 4),
    "Conv1D": lambda: layers.Conv1D(2, 3), "Conv2D": lambda: layers.Conv2D(2, 3),
    "Conv3D": lambda: layers.Conv3D(2, 3), "Conv1DTranspose": lambda: layers.Conv1DTranspose(2, 3),
    "Conv2DTranspose": lambda: layers.Conv2DTranspose(2, 3),
    "Conv3DTranspose": lambda: layers.Conv3DTranspose(2, 3),
    "ConvLSTM2D": lambda: layers.ConvLSTM2D(2, 3), "ConvLSTM2DCell": lambda: layers.ConvLSTM2DCell(2, 3),
    "Dense": lambda: layers.Dense(3, activation="relu", kernel_regularizer="l2"),
    "DepthwiseConv1D": lambda: layers.DepthwiseConv1D(3),
    "DepthwiseConv2D": lambda: layers.DepthwiseConv2D(3),
    "Discretization": lambda: layers.Discretization(bin_boundaries=[0.0, 1.0]),
    "Dot": lambda: layers.Dot(axes=1), "Dropout": lambda: layers.Dropout(0.5),
    "EinsumDense": lambda: layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d"),
    "Embedding": lambda: layers.Embedding(10, 3, mask_zero=True),
    "GRU": lambda: layers.GRU(2), "GRUCell": lambda: layers.GRUCell(2),
    "GaussianDropout": lambda: layers.GaussianDropout(0.2),
    "GaussianNoise": lambda: layers.GaussianNoise(0.1),
    "Hashing": lambda: layers.Hashing(num_bins=4),
    "HashedCrossing": lambda: layers.HashedCrossing(num_bins=4, output_mode="one_hot"),
    "InputLayer": lambda: layers.InputLayer(shape=(3,)),
    "LSTM": lambda: layers.LSTM(2), "LSTMCell": lambda: layers.LSTMCell(2),
    "Lambda": lambda: layers.Lambda(lamina.activations.relu, output_shape=(3,)),
    "MultiHeadAttention": lambda: layers.MultiHeadAttention(num_heads=2, key_dim=4),
    "Permute": lambda: layers.Permute((2, 1)), "RNN": lambda: layers.RNN(layers.SimpleRNNCell(2)),
    "RandomBrightness": lambda: layers.RandomBrightness(0.2),
    "RandomColorDegeneration": lambda: layers.RandomColorDegeneration(0.3),
    "RandomContrast": lambda: layers.RandomContrast(0.2),
    "RandomHue": lambda: layers.RandomHue(0.2),
    "RandomPosterization": lambda: layers.RandomPosterization(4),
    "RandomSaturation": lambda: layers.RandomSaturation(0.3),
    "RandomSharpness": lambda: layers.RandomSharpness(0.3),
    "Pipeline": lambda: layers.Pipeline([layers.RandomFlip(), layers.RandomContrast(0.2)]),
    "RandomCrop": lambda: layers.RandomCrop(4, 4),
    "RandomRotation": lambda: layers.RandomRotation(0.1),
    "RandomTranslation": lambda: layers.RandomTranslation(0.1, 0.1),
    "RandomZoom": lambda: layers.RandomZoom(0.1), "RepeatVector": lambda: layers.RepeatVector(3),
    "Rescaling": lambda: layers.Rescaling(1 / 255), "Reshape": lambda: layers.Reshape((2, 3)),
    "Resizing": lambda: layers.Resizing(4, 4),
    "SeparableConv1D": lambda: layers.SeparableConv1D(2, 3),
    "SeparableConv2D": lambda: layers.SeparableConv2D(2, 3),
    "SimpleRNN": lambda: layers.SimpleRNN(2), "SimpleRNNCell": lambda: layers.SimpleRNNCell(2),
    "SpatialDropout1D": lambda: layers.SpatialDropout1D(0.2),
    "SpectralNormalization": lambda: layers.SpectralNormalization(layers.Dense(2),
                                                                  power_iterations=2),
    "SpatialDropout2D": lambda: layers.SpatialDropout2D(0.2),
    "SpatialDropout3D": lambda: layers.SpatialDropout3D(0.2),
    "StackedRNNCells": lambda: layers.StackedRNNCells([layers.LSTMCell(2), layers.GRUCell(3)]),
    "TimeDistributed": lambda: layers.TimeDistributed(layers.Dense(2)),
    "TorchModuleWrapper": lambda: layers.TorchModuleWrapper(torch.nn.Linear(3, 2)),
    "Wrapper": lambda: layers.Wrapper(layers.Dense(2)),
    "Functional": _functional,
    "Sequential": lambda: lamina.Sequential([lamina.Input((3,)), layers.Dense(2)]),
    "Model": _functional,
    "ExponentialDecay": lambda: schedules.ExponentialDecay(0.1, 10, 0.9),
    "PiecewiseConstantDecay": lambda: schedules.PiecewiseConstantDecay([10], [0.1, 0.01]),
    "PolynomialDecay": lambda: schedules.PolynomialDecay(0.1, 10),
    "InverseTimeDecay": lambda: schedules.InverseTimeDecay(0.1, 10, 0.5),
    "CosineDecay": lambda: schedules.CosineDecay(0.1, 10),
    "CosineDecayRestarts": lambda: schedules.CosineDecayRestarts(0.1, 10),
    "LossFunctionWrapper": lambda: lamina.losses.LossFunctionWrapper(
        lamina.losses.mean_squared_error),
    "MeanMetricWrapper": lambda: lamina.metrics.MeanMetricWrapper(
        lamina.metrics.binary_accuracy, name="acc"),
    "SensitivityAtSpecificity": lambda: lamina.metrics.SensitivityAtSpecificity(0.5),
    "IoU": lambda: lamina.metrics.IoU(num_classes=3, target_class_ids=[0, 2]),
    "MeanIoU": lambda: lamina.metrics.MeanIoU(num_classes=3),
    "OneHotIoU": lambda: lamina.metrics.OneHotIoU(num_classes=3, target_class_ids=[1]),
    "OneHotMeanIoU": lambda: lamina.metrics.OneHotMeanIoU(num_classes=3),
    "SpecificityAtSensitivity": lambda: lamina.metrics.SpecificityAtSensitivity(0.5),
    "PrecisionAtRecall": lambda: lamina.metrics.PrecisionAtRecall(0.5),
    "RecallAtPrecision": lambda: lamina.metrics.RecallAtPrecision(0.5),
    "Adam": lambda: lamina.optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.9),
                                          clipnorm=1.0),
    "OptimizerMap": lambda: lamina.optimizers.OptimizerMap(
        lamina.optimizers.Adam(0.01), {"dense": lamina.optimizers.SGD(0.1)}),
    "MultiOptimizer": lambda: lamina.optimizers.MultiOptimizer(lamina.optimizers.OptimizerMap(
        lamina.optimizers.Adam(0.01), {"dense": lamina.optimizers.SGD(0.1)})),
    "LossScaleOptimizer": lambda: lamina.optimizers.LossScaleOptimizer(
        lamina.optimizers.Adam(0.01), initial_scale=8.0, dynamic_growth_steps=3),
}


# Classes whose from_config unpickles code, which needs unsafe deserialization (as in Keras).
UNSAFE = {"TorchModuleWrapper"}

# Abstract bases whose get_config raises, as Keras' do: subclasses must define their own.
ABSTRACT = {schedules.LearningRateSchedule, lamina.regularizers.Regularizer}


def _public_classes():
    seen, cases = set(ABSTRACT), []
    for family, namespace in NAMESPACES.items():
        for name in getattr(namespace, "__all__", []):
            cls = getattr(namespace, name, None)
            if isinstance(cls, type) and hasattr(cls, "get_config") and cls not in seen:
                seen.add(cls)
                cases.append(pytest.param(family, name, id=f"{family}.{name}"))
    return cases


CASES = _public_classes()


def _create(family, name):
    if name in ARGUMENTS:
        return ARGUMENTS[name]()
    return getattr(NAMESPACES[family], name)()


def _json(config):
    return json.loads(json.dumps(config))


def test_the_round_trip_covers_every_family():
    families = {case.values[0] for case in CASES}
    assert families == set(NAMESPACES)
    assert len(CASES) > 190


@pytest.mark.parametrize("family, name", CASES)
def test_config_round_trip(family, name):
    with SafeModeScope(False) if name in UNSAFE else contextlib.nullcontext():
        _check_round_trip(family, name)


def _check_round_trip(family, name):
    obj = _create(family, name)
    config = _json(obj.get_config())
    rebuilt = type(obj).from_config(_json(config))
    assert type(rebuilt) is type(obj)
    assert _json(rebuilt.get_config()) == config

    serialized = _json(serialize_keras_object(obj))
    # The name the class is exported under (Keras' GroupedQueryAttention: GroupQueryAttention).
    assert getattr(NAMESPACES[family], serialized["class_name"]) is type(obj)
    assert serialized["module"].startswith("keras")
    restored = deserialize_keras_object(serialized)
    assert type(restored) is type(obj)
    assert _json(restored.get_config()) == config


def test_scalar_operands_of_ops_are_node_arguments_as_keras_writes_them():
    tokens = lamina.Input((None,), dtype="int32")
    embedded = lamina.layers.Embedding(9, 3, mask_zero=True)(tokens)
    model = lamina.Model(tokens, [lamina.layers.LSTM(2)(embedded), lamina.ops.add(embedded, 1.0)])
    entries = {entry["name"]: entry for entry in model.get_config()["layers"]}
    # Keras 3.15 writes `not_equal(x, 0)` so: config {"name"}, the 0 among the node's args.
    assert entries["not_equal"]["config"] == {"name": "not_equal"}
    assert entries["not_equal"]["inbound_nodes"][0]["args"][1] == 0
    assert entries["add"]["config"] == {"name": "add"}
    assert entries["add"]["inbound_nodes"][0]["args"][1] == 1.0
    rebuilt = lamina.Model.from_config(model.get_config())
    x = np.array([[3, 1, 0]])
    rebuilt.set_weights(model.get_weights())
    for got, want in zip(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want)
