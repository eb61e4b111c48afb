"""The engine's distribution hook: how `fit` runs on one device or on several processes.

The loops ask the current distribution five things — wrap the module that runs the steps,
shard a data source, reduce metric state before it is read, whether this process is the
primary one (it prints and writes files), and what the processes agree on for a stop flag.
`SingleDevice` is the default and does nothing; data-parallel training (DDP under `torchrun`)
is one subclass of `Distribution`, not edits across the engine.

Example:
    >>> distribution = current()
    >>> type(distribution).__name__, distribution.is_primary(), distribution.broadcast_stop(True)
    ('SingleDevice', True, True)
"""
from __future__ import annotations

__all__ = ["Distribution", "SingleDevice", "current", "set_distribution"]


class Distribution:
    """The interface the engine calls; subclasses implement data-parallel runs.

    Example:
        >>> class Logged(SingleDevice):
        ...     def is_primary(self):
        ...         return False
        >>> Logged().is_primary()
        False
    """

    def wrap_model(self, model):
        """The module whose calls run the steps (e.g. a DistributedDataParallel wrapper)."""
        raise NotImplementedError

    def shard(self, data):
        """This process' part of a data source (`ArrayData` or `IterableData`)."""
        raise NotImplementedError

    def reduce_metrics(self, metrics) -> None:
        """Combines the metrics' state across processes, in place, before results are read."""
        raise NotImplementedError

    def is_primary(self) -> bool:
        """Whether this process prints progress and writes files."""
        raise NotImplementedError

    def broadcast_stop(self, stop: bool) -> bool:
        """The stop flag all processes agree on (any process asking to stop stops all)."""
        raise NotImplementedError


class SingleDevice(Distribution):
    """One process, one device: every hook is the identity.

    Example:
        >>> data = object()
        >>> SingleDevice().shard(data) is data
        True
    """

    def wrap_model(self, model):
        return model

    def shard(self, data):
        return data

    def reduce_metrics(self, metrics) -> None:
        return None

    def is_primary(self) -> bool:
        return True

    def broadcast_stop(self, stop: bool) -> bool:
        return bool(stop)


_current: Distribution = SingleDevice()


def current() -> Distribution:
    """The distribution `fit`, `evaluate` and `predict` use now."""
    return _current


def set_distribution(distribution: Distribution | None) -> None:
    """Makes `distribution` the current one (None restores `SingleDevice`).

    Example:
        >>> set_distribution(None)
        >>> type(current()).__name__
        'SingleDevice'
    """
    global _current
    if distribution is not None and not isinstance(distribution, Distribution):
        raise TypeError(f"Argument `distribution` must be a lamina.engine.distribution."
                        f"Distribution (or None); received {type(distribution).__name__}.")
    _current = SingleDevice() if distribution is None else distribution
