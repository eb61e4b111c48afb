"""keras.utils.Config: attribute and key access, freezing, export, Keras' error messages."""
import json

import pytest

import lamina as keras


def test_attribute_and_key_access_share_values():
    config = keras.utils.Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.seed == 123 and config["learning_rate"] == 0.1 and config.use_ema
    assert len(config) == 4 and "momentum" in config and "frozen" not in config
    assert list(config) == sorted(["learning_rate", "momentum", "use_ema", "seed"])
    assert config.get("missing", 5) == 5
    assert config.pop("seed") == 123
    config.update(nesterov=False)
    del config["momentum"]
    assert dict(config.items()) == {"learning_rate": 0.1, "use_ema": True, "nesterov": False}


def test_as_dict_is_a_copy_and_to_json_round_trips():
    config = keras.utils.Config(optimizer="adam", layers=[1, 2])
    exported = config.as_dict()
    exported["optimizer"] = "sgd"
    assert config.optimizer == "adam"
    assert json.loads(config.to_json()) == {"optimizer": "adam", "layers": [1, 2]}
    assert repr(config) == "<Config {'optimizer': 'adam', 'layers': [1, 2]}>"


@pytest.mark.parametrize("change", [
    lambda c: setattr(c, "seed", 1), lambda c: c.__setitem__("seed", 1),
    lambda c: c.pop("optimizer"), lambda c: c.update(seed=1),
    lambda c: c.__delitem__("optimizer"),
])
def test_frozen_config_refuses_every_change(change):
    config = keras.utils.Config(optimizer="adam")
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="Cannot mutate attribute\\(s\\) because the config is "
                                         "frozen."):
        change(config)
    config.unfreeze()
    change(config)


def test_unknown_attribute_suggests_the_closest_name():
    config = keras.utils.Config(learning_rate=0.1)
    with pytest.raises(AttributeError, match="Unknown attribute: 'learning_rat'. Did you mean "
                                             "'learning_rate'?"):
        config.learning_rat
    with pytest.raises(AttributeError, match="^Unknown attribute: 'zzz'.$"):
        config.zzz
