"""Error messages that help: close-match suggestions for misspelled names, and the two error
classes that are Keras' type and Python's at once."""
from __future__ import annotations

import difflib
import functools
import inspect
import os
import sys
from collections.abc import Iterable

__all__ = ["ArgumentKindError", "MissingFileError", "OpArgumentError", "OpAxisError",
           "OutOfRangeError",
           "did_you_mean", "suggests_argument_names", "unknown_name_error", "user_stacklevel"]


class MissingFileError(FileNotFoundError, ValueError):
    """No file at the path given: Python's FileNotFoundError, and the ValueError Keras 3 raises
    for a missing `.keras` file, so code catching either keeps working."""


class OutOfRangeError(IndexError, ValueError):
    """An index outside its range (an axis, a class label): a ValueError and an IndexError at
    once, as NumPy's AxisError is, since Keras raises either for the same slip."""


class ArgumentKindError(TypeError, ValueError):
    """An argument of the wrong kind (a string for a count, a layer where a list goes): a
    TypeError, and the ValueError Keras raises for some of these slips, so code catching
    either keeps working."""


class OpArgumentError(ValueError):
    """An op's arguments do not fit together (shapes that do not broadcast, a bad reshape)."""


class OpAxisError(OpArgumentError, OutOfRangeError):
    """An op's axis argument outside the tensor's axes."""


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


def suggests_argument_names(function):
    """Adds " Did you mean 'epochs'?" to Python's error for a misspelt keyword argument.

    Only a call that fails to bind its arguments is touched (nothing runs on a good call);
    errors from inside `function` pass through as they are.

    Example:
        >>> @suggests_argument_names
        ... def fit(x=None, epochs=1):
        ...     return epochs
        >>> fit(epoch=3)
        Traceback (most recent call last):
        ...
        TypeError: fit() got an unexpected keyword argument 'epoch'. Did you mean 'epochs'?
    """
    parameters = inspect.signature(function).parameters

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TypeError as error:
            unknown = [name for name in kwargs if name not in parameters]
            if not unknown or error.__traceback__.tb_next is not None:  # raised inside `function`
                raise
            hints = "".join(did_you_mean(name, [p for p in parameters if p != "self"])
                            for name in unknown)
            raise TypeError(f"{error}.{hints}") from None

    return wrapper


# lamina's frames, and torch's between them (a layer call goes through `nn.Module.__call__`).
_PACKAGE_FOLDERS = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    os.path.join("site-packages", "torch", ""))


def user_stacklevel() -> int:
    """The `stacklevel` that makes a warning point at the first caller outside lamina (the
    user's `model.fit(...)` line), however deep inside lamina it is raised.

    Example:
        >>> user_stacklevel()  # called from outside lamina: the caller itself
        1
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and _inside_packages(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    return level


def _inside_packages(filename: str) -> bool:
    return filename.startswith(_PACKAGE_FOLDERS[0]) or _PACKAGE_FOLDERS[1] in filename
