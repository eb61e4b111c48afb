"""`keras.utils.Config`: a dict of named values read and written as attributes or keys,
that can be frozen and written as JSON.

Example:
    >>> config = Config(learning_rate=0.1)
    >>> config.seed = 123
    >>> config["learning_rate"], config.seed, config.to_json()
    (0.1, 123, '{"learning_rate": 0.1, "seed": 123}')
"""
from __future__ import annotations

import copy
import difflib
import json

__all__ = ["Config"]


class Config:
    """A dict-like container for named values, as Keras' `keras.utils.Config`.

    Values are set and read as attributes (`config.seed = 1`) or keys (`config["seed"]`);
    `freeze()` makes every later change raise; `as_dict()` and `to_json()` export it.

    Args:
        **kwargs: The initial values.

    Example:
        >>> config = Config(optimizer="adam")
        >>> config.freeze()
        >>> config.optimizer = "sgd"
        Traceback (most recent call last):
        ...
        ValueError: Cannot mutate attribute(s) because the config is frozen.
    """

    # The instance's own attribute names, fixed at construction; any other name is a value.
    __attrs__ = None

    def __init__(self, **kwargs):
        self._config = kwargs
        self._frozen = False
        self.__attrs__ = set(dir(self))

    @property
    def frozen(self) -> bool:
        """Whether `freeze()` was called (and not undone by `unfreeze()`)."""
        return self._frozen

    def freeze(self) -> None:
        """Marks the config as frozen, preventing any ulterior modification."""
        self._frozen = True

    def unfreeze(self) -> None:
        """Allows modifications again."""
        self._frozen = False

    def _raise_if_frozen(self) -> None:
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    def as_dict(self) -> dict:
        """A shallow copy of the values as a plain dict."""
        return copy.copy(self._config)

    def to_json(self) -> str:
        """The values as a JSON string."""
        return json.dumps(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def pop(self, *args):
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        self._raise_if_frozen()
        return self._config.update(*args, **kwargs)

    def get(self, keyname, value=None):
        return self._config.get(keyname, value)

    def __setattr__(self, name, value):
        attrs = object.__getattribute__(self, "__attrs__")
        if attrs is None or name in attrs:
            return object.__setattr__(self, name, value)
        self._raise_if_frozen()
        self._config[name] = value

    def __getattr__(self, name):
        attrs = object.__getattribute__(self, "__attrs__")
        if attrs is None or name in attrs:
            return object.__getattribute__(self, name)
        if name in self._config:
            return self._config[name]
        message = f"Unknown attribute: '{name}'."
        closest = difflib.get_close_matches(name, self._config.keys(), n=1, cutoff=0.7)
        if closest:
            message += f" Did you mean '{closest[0]}'?"
        raise AttributeError(message)

    def __setitem__(self, key, item):
        self._raise_if_frozen()
        self._config[key] = item

    def __getitem__(self, key):
        return self._config[key]

    def __repr__(self) -> str:
        return f"<Config {self._config}>"

    def __iter__(self):
        yield from sorted(self._config.keys())

    def __len__(self) -> int:
        return len(self._config)

    def __delitem__(self, key):
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, item) -> bool:
        return item in self._config
