"""lamina.initializers: shapes, statistics, fans, seeds, orthogonality, get/serialize."""
import json
import math

import numpy as np
import pytest
import torch

from lamina import initializers as init

TRUNCATED_STD = 0.87962566103423978  # std of a unit normal truncated at +-2

ALL_CLASSES = [init.Zeros, init.Ones, init.Constant, init.Identity, init.RandomUniform,
               init.RandomNormal, init.TruncatedNormal, init.VarianceScaling, init.GlorotUniform,
               init.GlorotNormal, init.HeUniform, init.HeNormal, init.LecunUniform,
               init.LecunNormal, init.Orthogonal]


def _np(tensor):
    return tensor.detach().cpu().numpy().astype(np.float64)


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_shape_dtype_and_device(cls):
    values = cls()((5, 7), device="cpu")
    assert values.shape == (5, 7)
    assert values.dtype == torch.float32
    assert values.device.type == "cpu"
    assert cls()([3, 4], dtype="float64", device="cpu").dtype == torch.float64
    assert cls()((2, 3), dtype=torch.float16, device="cpu").dtype == torch.float16


def test_default_device_is_lamina_device():
    from lamina import backend

    assert init.Ones()((2,)).device.type == backend.get_device().type


def test_constant_values():
    assert init.Zeros()((2, 3), device="cpu").eq(0).all()
    assert init.Ones()((2, 3), device="cpu").eq(1).all()
    assert init.Constant(2.5)((2, 3), device="cpu").eq(2.5).all()
    row = init.Constant([1.0, 2.0, 3.0])((2, 3), device="cpu")
    np.testing.assert_array_equal(_np(row), [[1, 2, 3], [1, 2, 3]])


def test_identity_rectangular_and_gain():
    np.testing.assert_array_equal(_np(init.Identity(gain=2.0)((2, 3), device="cpu")),
                                  2.0 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D matrices"):
        init.Identity()((2, 2, 2))


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((3, 4), (3, 4)), ((5, 8, 2), (40, 10)),
    ((3, 3, 16, 32), (144, 288)), ((2, 3, 3, 4, 6), (72, 108)),
])
def test_compute_fans_like_keras(shape, fans):
    assert init.compute_fans(shape) == fans


def _glorot(shape):
    fan_in, fan_out = init.compute_fans(shape)
    return fan_in + fan_out


BIG = (400, 600)      # 240,000 samples: the sample std is within ~0.3% of the true one
CONV = (3, 3, 64, 128)  # fans 576 and 1152
# (initializer, shape, expected mean, expected std, bound the values must stay within or None)
STAT_CASES = [
    ("random_uniform", init.RandomUniform(), BIG, 0.0, 0.1 / math.sqrt(12), 0.05),
    ("random_uniform_0_1", init.RandomUniform(0.0, 1.0), BIG, 0.5, 1 / math.sqrt(12), 1.0),
    ("random_normal", init.RandomNormal(mean=1.0, stddev=2.0), BIG, 1.0, 2.0, None),
    ("truncated_normal", init.TruncatedNormal(mean=0.0, stddev=1.0), BIG, 0.0, TRUNCATED_STD, 2.0),
    ("glorot_uniform", init.GlorotUniform(), BIG, 0.0, math.sqrt(2 / 1000), math.sqrt(6 / 1000)),
    ("glorot_uniform_conv", init.GlorotUniform(), CONV, 0.0, math.sqrt(2 / 1728),
     math.sqrt(6 / 1728)),
    ("glorot_normal", init.GlorotNormal(), BIG, 0.0, math.sqrt(2 / 1000),
     2 * math.sqrt(2 / 1000) / TRUNCATED_STD),
    ("he_uniform", init.HeUniform(), BIG, 0.0, math.sqrt(2 / 400), math.sqrt(6 / 400)),
    ("he_uniform_conv", init.HeUniform(), CONV, 0.0, math.sqrt(2 / 576), math.sqrt(6 / 576)),
    ("he_normal", init.HeNormal(), BIG, 0.0, math.sqrt(2 / 400),
     2 * math.sqrt(2 / 400) / TRUNCATED_STD),
    ("he_normal_conv", init.HeNormal(), CONV, 0.0, math.sqrt(2 / 576),
     2 * math.sqrt(2 / 576) / TRUNCATED_STD),
    ("lecun_uniform", init.LecunUniform(), BIG, 0.0, math.sqrt(1 / 400), math.sqrt(3 / 400)),
    ("lecun_normal", init.LecunNormal(), BIG, 0.0, math.sqrt(1 / 400),
     2 * math.sqrt(1 / 400) / TRUNCATED_STD),
    ("variance_scaling_fan_out_untruncated",
     init.VarianceScaling(scale=3.0, mode="fan_out", distribution="untruncated_normal"), CONV,
     0.0, math.sqrt(3.0 / 1152), None),
]


@pytest.mark.parametrize("initializer, shape, mean, std, bound", [c[1:] for c in STAT_CASES],
                         ids=[c[0] for c in STAT_CASES])
def test_statistics(initializer, shape, mean, std, bound):
    torch.manual_seed(0)
    values = _np(initializer(shape, device="cpu"))
    assert abs(values.mean() - mean) < 0.01 * std + 1e-12
    assert abs(values.std() - std) < 0.01 * std
    if bound is not None:
        low, high = (0.0, bound) if mean == 0.5 else (mean - bound, mean + bound)
        assert values.min() >= low and values.max() <= high
        # The values reach close to the bound, so the bound is the right one (not a wider one).
        assert values.max() > high - 0.01 * (high - low)


def test_glorot_uniform_limit_on_dense_kernel():
    values = _np(init.GlorotUniform(seed=3)((784, 100), device="cpu"))
    limit = math.sqrt(6 / (784 + 100))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.99 * limit


SEEDED_CLASSES = [c for c in ALL_CLASSES if issubclass(c, init.RandomInitializer)]


@pytest.mark.parametrize("cls", SEEDED_CLASSES, ids=lambda c: c.__name__)
def test_int_seed_is_deterministic(cls):
    first = cls(seed=42)((20, 30), device="cpu")
    assert torch.equal(first, cls(seed=42)((20, 30), device="cpu"))
    instance = cls(seed=42)
    assert torch.equal(instance((20, 30), device="cpu"), instance((20, 30), device="cpu"))
    assert not torch.equal(first, cls(seed=43)((20, 30), device="cpu"))


def test_int_seed_ignores_global_rng():
    torch.manual_seed(1)
    first = init.GlorotUniform(seed=5)((10, 10), device="cpu")
    torch.manual_seed(2)
    assert torch.equal(first, init.GlorotUniform(seed=5)((10, 10), device="cpu"))


def test_unseeded_draws_from_global_rng():
    initializer = init.HeNormal()
    torch.manual_seed(7)
    first = initializer((10, 10), device="cpu")
    second = initializer((10, 10), device="cpu")
    assert not torch.equal(first, second)
    torch.manual_seed(7)
    assert torch.equal(first, init.HeNormal()((10, 10), device="cpu"))


def test_seed_validation():
    with pytest.raises(ValueError, match="`seed` must be None or an integer"):
        init.RandomNormal(seed="1")
    with pytest.raises(ValueError, match="`seed` must be None or an integer"):
        init.GlorotUniform(seed=1.5)


def _assert_orthonormal_columns(matrix):
    np.testing.assert_allclose(matrix.T @ matrix, np.eye(matrix.shape[1]), atol=1e-5)


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (3, 3, 4, 8), (2, 5)])
def test_orthogonal(shape):
    values = _np(init.Orthogonal(seed=0)(shape, device="cpu"))
    assert values.shape == shape
    matrix = values.reshape(-1, shape[-1])
    if matrix.shape[0] >= matrix.shape[1]:
        _assert_orthonormal_columns(matrix)
    else:
        _assert_orthonormal_columns(matrix.T)


def test_orthogonal_gain_and_rank_check():
    values = _np(init.Orthogonal(gain=2.0, seed=1)((5, 5), device="cpu"))
    np.testing.assert_allclose(values @ values.T, 4.0 * np.eye(5), atol=1e-4)
    with pytest.raises(ValueError, match="rank >= 2"):
        init.Orthogonal()((5,))


def test_variance_scaling_argument_errors():
    with pytest.raises(ValueError, match="`scale` must be a positive float"):
        init.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="`mode` must be one of"):
        init.VarianceScaling(mode="fan_avgg")
    with pytest.raises(ValueError, match="`distribution` must be one of"):
        init.VarianceScaling(distribution="gamma")
    assert init.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def test_shape_errors():
    with pytest.raises(ValueError, match="tuple of non-negative integers"):
        init.Zeros()((2, -1))
    with pytest.raises(ValueError, match="tuple of non-negative integers"):
        init.Zeros()((2, 1.5))


CONFIG_CASES = [
    init.Zeros(), init.Ones(), init.Constant(3.5), init.Identity(gain=0.5),
    init.RandomUniform(-1.0, 2.0, seed=3), init.RandomNormal(0.5, 0.1, seed=4),
    init.TruncatedNormal(0.0, 2.0, seed=5),
    init.VarianceScaling(2.0, "fan_out", "uniform", seed=6), init.GlorotUniform(seed=7),
    init.GlorotNormal(), init.HeUniform(seed=8), init.HeNormal(), init.LecunUniform(seed=9),
    init.LecunNormal(), init.Orthogonal(gain=1.5, seed=10),
]


@pytest.mark.parametrize("initializer", CONFIG_CASES, ids=lambda i: type(i).__name__)
def test_config_round_trip(initializer):
    config = json.loads(json.dumps(init.serialize(initializer)))
    assert config["module"] == "keras.initializers"
    assert config["class_name"] == type(initializer).__name__
    assert config["registered_name"] is None
    restored = init.deserialize(config)
    assert type(restored) is type(initializer)
    assert restored.get_config() == initializer.get_config()
    assert type(initializer).from_config(initializer.get_config()).get_config() == \
        initializer.get_config()
    assert initializer.clone().get_config() == initializer.get_config()
    if getattr(initializer, "seed", None) is not None:
        assert torch.equal(restored((4, 5), device="cpu"), initializer((4, 5), device="cpu"))


def test_keras_config_format():
    assert init.serialize(init.GlorotUniform()) == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert init.RandomNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    assert init.VarianceScaling().get_config() == {
        "seed": None, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal",
        "input_axes": None, "output_axes": None}
    assert init.Orthogonal().get_config() == {"seed": None, "gain": 1.0}
    assert init.Constant().get_config() == {"value": 0.0}
    assert init.Zeros().get_config() == {}


NAMES = {
    "zeros": init.Zeros, "Zeros": init.Zeros, "zero": init.Zeros, "ones": init.Ones,
    "one": init.Ones, "Ones": init.Ones, "constant": init.Constant, "identity": init.Identity,
    "Identity": init.Identity, "IdentityInitializer": init.Identity,
    "random_uniform": init.RandomUniform, "uniform": init.RandomUniform,
    "RandomUniform": init.RandomUniform, "random_normal": init.RandomNormal,
    "normal": init.RandomNormal, "truncated_normal": init.TruncatedNormal,
    "TruncatedNormal": init.TruncatedNormal, "variance_scaling": init.VarianceScaling,
    "glorot_uniform": init.GlorotUniform, "GlorotUniform": init.GlorotUniform,
    "glorot_normal": init.GlorotNormal, "he_uniform": init.HeUniform, "he_normal": init.HeNormal,
    "HeNormal": init.HeNormal, "lecun_uniform": init.LecunUniform,
    "lecun_normal": init.LecunNormal, "orthogonal": init.Orthogonal,
    "Orthogonal": init.Orthogonal, "OrthogonalInitializer": init.Orthogonal,
}


@pytest.mark.parametrize("name, cls", NAMES.items(), ids=list(NAMES))
def test_get_by_name(name, cls):
    initializer = init.get(name)
    assert type(initializer) is cls
    assert getattr(initializer, "seed", None) is None


def test_snake_case_module_aliases():
    assert init.glorot_uniform is init.GlorotUniform
    assert init.he_normal is init.HeNormal
    assert init.uniform is init.RandomUniform and init.normal is init.RandomNormal


def test_get_other_identifiers():
    assert init.get(None) is None
    instance = init.HeUniform(seed=1)
    assert init.get(instance) is instance
    assert type(init.get(init.GlorotNormal)) is init.GlorotNormal
    keras_dict = {"module": "keras.initializers", "class_name": "RandomUniform",
                  "config": {"minval": -1.0, "maxval": 1.0, "seed": None},
                  "registered_name": None}
    restored = init.get(keras_dict)
    assert (restored.minval, restored.maxval) == (-1.0, 1.0)
    assert type(init.get({"class_name": "Zeros"})) is init.Zeros

    def plain(shape, dtype=None):
        return np.full(shape, 7.0)

    assert init.get(plain) is plain


def test_get_errors():
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        init.get("glorot_unifrom")
    with pytest.raises(ValueError, match="Unknown initializer: 'xavier'"):
        init.get("xavier")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        init.get(3.0)
    with pytest.raises(ValueError, match="'class_name'"):
        init.deserialize({"config": {}})


def test_initialize_accepts_plain_callables():
    def sevens(shape, dtype=None):
        assert dtype == "float32"
        return np.full(shape, 7.0)

    values = init.initialize(sevens, (2, 3), device="cpu")
    assert values.dtype == torch.float32 and values.shape == (2, 3) and values.eq(7).all()
    assert init.initialize("ones", (2,), dtype="float64", device="cpu").dtype == torch.float64
    with pytest.raises(ValueError, match="returned shape"):
        init.initialize(lambda shape, dtype=None: np.zeros(3), (2, 3), device="cpu")


def test_serialize_none_functions_and_lambdas():
    assert init.serialize(None) is None

    def my_init(shape, dtype=None):
        return np.ones(shape)

    config = init.serialize(my_init)
    assert config["class_name"] == "function" and config["config"] == "my_init"
    assert init.deserialize(config, custom_objects={"my_init": my_init}) is my_init
    with pytest.raises(ValueError, match="custom_objects="):
        init.deserialize(config)
    marker = init.serialize(lambda shape, dtype=None: np.ones(shape))
    assert marker["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="never runs code"):
        init.deserialize(marker)
