"""Error messages that help: close-match suggestions for misspelled names, and the two error
classes that are Keras' type and Python's at once."""
from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["MissingFileError", "OutOfRangeError", "did_you_mean", "unknown_name_error"]


class MissingFileError(FileNotFoundError, ValueError):
    """No file at the path given: Python's FileNotFoundError, and the ValueError Keras 3 raises
    for a missing `.keras` file, so code catching either keeps working."""


class OutOfRangeError(IndexError, ValueError):
    """An index outside its range (an axis, a class label): a ValueError and an IndexError at
    once, as NumPy's AxisError is, since Keras raises either for the same slip."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' Did you mean 'relu'?' when `name` is close to a candidate, else ''."""
    matches = difflib.get_close_matches(str(name), sorted(set(candidates)), n=3, cutoff=0.6)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(repr(m) for m in matches) + "?"


def unknown_name_error(kind: str, name: str, candidates: Iterable[str]) -> ValueError:
    """ValueError("Unknown activation: 'rellu'. Did you mean 'relu'? Known: ...")."""
    candidates = sorted(set(candidates))
    return ValueError(f"Unknown {kind}: {name!r}.{did_you_mean(name, candidates)} "
                      f"Known {kind} names: {', '.join(candidates)}.")
