"""Error messages that help: close-match suggestions for misspelled names."""
from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "unknown_name_error"]


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
