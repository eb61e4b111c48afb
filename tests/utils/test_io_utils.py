"""Interactive logging: fit's progress goes to stdout, or to the `lamina` logger when it is off."""
import logging

import numpy as np
import pytest

import lamina


@pytest.fixture
def logging_off():
    lamina.config.disable_interactive_logging()
    yield
    lamina.config.enable_interactive_logging()


def _fit(verbose, callbacks=()):
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((8, 3), "float32")
    model.fit(x, x[:, :1], epochs=2, batch_size=4, verbose=verbose, callbacks=list(callbacks))


def test_the_names_are_keras_config_and_utils_ones():
    for namespace in (lamina.config, lamina.utils):
        for name in ("enable_interactive_logging", "disable_interactive_logging",
                     "is_interactive_logging_enabled"):
            assert name in namespace.__all__
            assert getattr(namespace, name) is getattr(lamina.utils.io_utils, name)
    assert lamina.config.is_interactive_logging_enabled() is True


def test_fit_prints_to_stdout_by_default(capsys, caplog):
    with caplog.at_level(logging.INFO, logger="lamina"):
        _fit(verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2" in out and "loss:" in out
    assert not [r for r in caplog.records if r.name == "lamina"]


@pytest.mark.parametrize("verbose", [1, 2])
def test_disabled_interactive_logging_sends_fit_lines_to_the_logger(verbose, logging_off, capsys,
                                                                    caplog):
    assert lamina.config.is_interactive_logging_enabled() is False
    with caplog.at_level(logging.INFO, logger="lamina"):
        _fit(verbose=verbose)
    assert capsys.readouterr().out == ""
    messages = [r.getMessage() for r in caplog.records if r.name == "lamina"]
    assert messages[0] == "Epoch 1/2" and messages[2] == "Epoch 2/2"
    assert all("\r" not in m and not m.endswith("\n") for m in messages)
    assert messages[1].startswith("2/2") and "loss:" in messages[1]
    assert len(messages) == 4


def test_callback_messages_follow_the_switch(logging_off, capsys, caplog):
    stop = lamina.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0, verbose=1)
    with caplog.at_level(logging.INFO, logger="lamina"):
        _fit(verbose=0, callbacks=[stop])
    assert capsys.readouterr().out == ""
    assert "Epoch 2: early stopping" in [r.getMessage() for r in caplog.records]


def test_progbar_is_keras_utils_progbar(capsys):
    bar = lamina.utils.Progbar(2)
    bar.update(2, {"loss": 0.25})
    assert capsys.readouterr().out.startswith("2/2 ")
    assert lamina.utils.Progbar is lamina.engine.progbar.Progbar


def test_custom_object_helpers_are_reachable_from_utils():
    """As in Keras: a scope is looked up by name but does not enter the global dict."""
    def twice(x):
        return 2 * x

    with lamina.utils.custom_object_scope({"twice": twice}):
        assert lamina.saving.get_registered_object("twice") is twice
        assert "twice" not in lamina.utils.get_custom_objects()
    assert lamina.saving.get_registered_object("twice") is None
    lamina.utils.get_custom_objects()["twice"] = twice
    try:
        assert lamina.saving.get_registered_object("twice") is twice
    finally:
        del lamina.utils.get_custom_objects()["twice"]
    assert lamina.utils.CustomObjectScope is lamina.saving.CustomObjectScope
    assert lamina.utils.get_registered_name(lamina.layers.Dense) == "Dense"
