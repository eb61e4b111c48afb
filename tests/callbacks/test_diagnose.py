"""The Diagnose callback and lamina.config.set_diagnose: the verdict printed when fit ends."""
import numpy as np
import pytest

import lamina
import lamina as keras
from lamina import layers
from lamina.callbacks import Diagnose
from lamina.callbacks.diagnose import with_diagnose


@pytest.fixture
def diagnose_on():
    lamina.config.set_diagnose(True)
    yield
    lamina.config.set_diagnose(False)


def regression_run(callbacks=None, verbose=0, epochs=4):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model.fit(x, y, epochs=epochs, verbose=verbose, validation_split=0.25,
                     callbacks=callbacks)


def test_diagnose_callback_stores_and_prints_the_history_verdict(capsys):
    judge = Diagnose()
    history = regression_run([judge])
    assert judge.diagnosis == history.diagnose()
    assert capsys.readouterr().out == str(judge.diagnosis) + "\n"


def test_diagnose_callback_passes_its_baseline(capsys):
    judge = Diagnose(baseline_loss=1e-3, verbose=0)
    regression_run([judge])
    assert "the loss passed as `baseline_loss`" in judge.diagnosis.evidence[0]
    assert capsys.readouterr().out == ""


def test_set_diagnose_makes_verbose_fit_print_the_verdict(diagnose_on, capsys):
    history = regression_run(verbose=2)
    out = capsys.readouterr().out
    assert out.endswith(str(history.diagnose()) + "\n")
    assert out.count("Diagnosis: ") == 1


def test_set_diagnose_stays_quiet_with_verbose_0_and_adds_no_second_callback(diagnose_on, capsys):
    regression_run(verbose=0)
    assert capsys.readouterr().out == ""
    judge = Diagnose(verbose=0)
    regression_run([judge], verbose=2)
    assert "Diagnosis: " not in capsys.readouterr().out
    assert judge.diagnosis is not None


def test_with_diagnose_keeps_the_callbacks_and_finds_nested_ones():
    stopper = keras.callbacks.EarlyStopping()
    added = with_diagnose([stopper])
    assert added[0] == [stopper] and isinstance(added[1], Diagnose)
    present = [[stopper, Diagnose()]]
    assert with_diagnose(present) is present


def test_set_diagnose_wants_a_bool():
    assert lamina.config.is_diagnose_enabled() is False
    with pytest.raises(TypeError, match=r"Argument `value` must be True or False. Received: "
                                        r"value='yes'"):
        lamina.config.set_diagnose("yes")
