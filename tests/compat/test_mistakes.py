"""Learner mistakes, graded against what Keras 3 does with the same program.

The programs are tests/fixtures/compat/keras_mistakes.py; Keras' outcome for each (its
exception's type and message, its warnings, or what the program computed) is
keras_mistakes.json, recorded by make_keras_mistakes.py. Each program runs here with `keras`
bound to lamina, and:
- no exception may come from inside PyTorch: lamina names the mistake in its own words;
- where Keras raised, lamina raises an exception of Keras' type (or a subclass of it), unless
  the mistake states why lamina departs (`lamina_raises`, `lamina_result`);
- where Keras accepted the program, lamina gives the same result, unless the mistake states
  why refusing is better (`lamina_may_refuse`: Keras' answer is a silent wrong one);
- lamina's error or warnings name what Keras' message names (`mentions`) and, for the common
  slips, the fix (`fix`).
"""
import builtins
import importlib.util
import json
import math
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "compat"
KERAS = json.loads((FIXTURES / "keras_mistakes.json").read_text())["mistakes"]
TORCH_DIR = str(Path(torch.__file__).parent)


def load_mistakes() -> list[dict]:
    spec = importlib.util.spec_from_file_location("keras_mistakes", FIXTURES / "keras_mistakes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


MISTAKES = load_mistakes()


def run_on_lamina(mistake: dict, tmp: Path) -> dict:
    """The program's outcome on lamina: `error` (or None), `warnings`, and `result`."""
    lamina.utils.set_random_seed(0)
    namespace = {"keras": lamina, "layers": lamina.layers, "np": np, "tmp": str(tmp)}
    outcome = {"error": None, "result": None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(mistake["code"], mistake["name"], "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 - grading the error is the point
            outcome["error"] = error
        else:
            outcome["result"] = namespace.get("result")
    outcome["warnings"] = [str(w.message) for w in caught]
    return outcome


def builtin_type(type_names: list[str]) -> type:
    """The first built-in exception class among an exception's class names (its MRO)."""
    for name in type_names:
        candidate = getattr(builtins, name, None)
        if isinstance(candidate, type) and issubclass(candidate, BaseException):
            return candidate
    raise AssertionError(f"no built-in exception among {type_names}")


def same_result(ours, theirs) -> bool:
    """Whether lamina's result is Keras' (JSON form); floats to 1e-4 relative, NaN equal to NaN."""
    if isinstance(ours, np.ndarray):
        ours = ours.tolist()
    if isinstance(ours, (tuple, list)) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(same_result(o, t) for o, t in zip(ours, theirs))
    if isinstance(theirs, float) and isinstance(ours, (int, float, np.floating)) \
            and not isinstance(ours, bool):
        both_nan = math.isnan(theirs) and math.isnan(ours)
        return both_nan or math.isclose(ours, theirs, rel_tol=1e-4, abs_tol=1e-5)
    return ours == theirs


def raised_inside_torch(error: BaseException) -> bool:
    innermost = traceback.extract_tb(error.__traceback__)[-1]
    return innermost.filename.startswith(TORCH_DIR) or type(error).__module__.startswith("torch")


def describe(outcome: dict) -> str:
    error = outcome["error"]
    if error is not None:
        return f"lamina raised {type(error).__name__}: {error}"
    return f"lamina gave result={outcome['result']!r}, warnings={outcome['warnings']}"


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m["name"] for m in MISTAKES])
def test_mistake_is_caught_as_keras_catches_it(mistake, tmp_path):
    keras = KERAS[mistake["name"]]
    outcome = run_on_lamina(mistake, tmp_path)
    error = outcome["error"]
    if error is not None:
        assert not raised_inside_torch(error), (
            f"a bare PyTorch error: {''.join(traceback.format_exception(error))}")
    if "raised" in keras:
        keras_said = f"Keras raised {keras['raised']['type']}: {keras['raised']['message']}"
        if "lamina_result" in mistake:
            assert error is None and same_result(outcome["result"], mistake["lamina_result"]), (
                f"{describe(outcome)}; expected {mistake['lamina_result']!r} "
                f"({mistake['because']})")
        else:
            expected = builtin_type([mistake["lamina_raises"]] if "lamina_raises" in mistake
                                    else keras["raised"]["mro"])
            assert isinstance(error, expected), f"{describe(outcome)}; {keras_said}"
    elif error is not None:
        assert mistake.get("lamina_may_refuse"), (
            f"Keras accepted this program (result={keras.get('result')!r}); {describe(outcome)}")
    elif "result" in keras:
        assert same_result(outcome["result"], keras["result"]), (
            f"{describe(outcome)}; Keras gave {keras['result']!r}")
    said = str(error) if error is not None else "\n".join(outcome["warnings"])
    missing = [word for word in mistake["mentions"] + mistake["fix"] if word not in said]
    assert not missing, f"lamina's message lacks {missing}: {describe(outcome)}"


def test_every_mistake_has_a_keras_record():
    assert sorted(KERAS) == sorted(m["name"] for m in MISTAKES)
    for mistake in MISTAKES:
        departures = {"lamina_raises", "lamina_result", "lamina_may_refuse"} & set(mistake)
        assert not departures or mistake.get("because"), (
            f"{mistake['name']}: say why lamina departs from Keras")
