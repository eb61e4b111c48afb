"""keras.config's debugging caps, flash-attention switch, set_backend and is_nnx_enabled."""
import os
import subprocess
import sys

import pytest

import lamina as keras


@pytest.mark.parametrize("getter, setter", [
    (keras.config.max_epochs, keras.config.set_max_epochs),
    (keras.config.max_steps_per_epoch, keras.config.set_max_steps_per_epoch),
])
def test_caps_store_and_return_their_value(getter, setter):
    assert getter() is None
    setter(3)
    try:
        assert getter() == 3
    finally:
        setter(None)
    assert getter() is None


def test_caps_are_read_from_keras_environment_variables():
    environment = dict(os.environ, KERAS_MAX_EPOCHS="2", KERAS_MAX_STEPS_PER_EPOCH="7")
    script = "import lamina; print(lamina.config.max_epochs(), lamina.config.max_steps_per_epoch())"
    output = subprocess.run([sys.executable, "-c", script], env=environment, check=True,
                            capture_output=True, text=True).stdout
    assert output.split() == ["2", "7"]


def test_flash_attention_has_keras_three_states():
    assert keras.config.is_flash_attention_enabled() is None
    keras.config.disable_flash_attention()
    assert keras.config.is_flash_attention_enabled() is False
    keras.config.enable_flash_attention()
    assert keras.config.is_flash_attention_enabled() is None


def test_set_backend_accepts_only_torch():
    keras.config.set_backend("torch")
    with pytest.raises(ValueError, match="accepts only 'torch'. Received: backend='jax'"):
        keras.config.set_backend("jax")


def test_nnx_is_never_enabled():
    assert keras.config.is_nnx_enabled() is False
