"""MultiOptimizer: each variable updated by the optimizer an `OptimizerMap` (or a function)
assigns to it, e.g. Adam for an encoder and SGD for the rest."""
from __future__ import annotations

import re
from collections.abc import MutableMapping

import torch

from lamina.optimizers.base import Optimizer
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["OptimizerMap", "MultiOptimizer"]


class OptimizerMap(MutableMapping):
    """Maps variable paths (exact keys, else regular expressions matched in full) to optimizers.

    Args:
        default_optimizer: The optimizer of every variable no key matches.
        optimizer_map: Optional initial dict of path or pattern -> optimizer.

    Example:
        >>> from lamina import optimizers
        >>> mapping = OptimizerMap(optimizers.RMSprop(name="rmsprop"))
        >>> mapping["encoder/.*"] = optimizers.SGD(name="sgd")
        >>> mapping["encoder/dense/kernel"].name, mapping["decoder/dense/kernel"].name
        ('sgd', 'rmsprop')
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("default_optimizer must be a Keras Optimizer instance. "
                            f"Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = optimizer_map or {}

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key):
        """The optimizer of the exact key, else of the one pattern `re.fullmatch`ing it, else
        the default; several matching patterns raise ValueError."""
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matching[0]] if matching else self.default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value "
                             f"{self._optimizer_map[key]}. Please make sure to not use "
                             "duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable) -> Optimizer:
        return self[_path(variable)]

    def get_config(self) -> dict:
        return {"default_optimizer": serialize_keras_object(self._default_optimizer),
                "optimizer_map": serialize_keras_object(self._optimizer_map)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(deserialize_keras_object(config["default_optimizer"], custom_objects),
                   deserialize_keras_object(config["optimizer_map"], custom_objects))


def _path(variable) -> str:
    return str(getattr(variable, "path", None) or getattr(variable, "name", None) or "")


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer `optimizer_map` gives it.

    Its `variables` are its own step counter and (unused) learning rate, then each inner
    optimizer's variables, as in Keras; it has no learning rate of its own.

    Args:
        optimizer_map: An `OptimizerMap`, or a function `variable -> optimizer`.
        loss_scale_factor: Overrides the inner optimizers' `loss_scale_factor`.
        name: The optimizer's name.

    Example:
        >>> from lamina import optimizers
        >>> w = torch.nn.Parameter(torch.ones(1)); w.path = "encoder/w"
        >>> u = torch.nn.Parameter(torch.ones(1)); u.path = "head/u"
        >>> multi = MultiOptimizer(OptimizerMap(optimizers.SGD(0.5),
        ...                                     {"encoder/.*": optimizers.SGD(0.1)}))
        >>> multi.apply([torch.ones(1), torch.ones(1)], [w, u])
        >>> round(w.item(), 4), round(u.item(), 4)
        (0.9, 0.5)
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers: list[Optimizer] = []
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        for optimizer in candidates + ([default] if default is not None else []):
            if optimizer not in self._inner_optimizers:
                optimizer.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(optimizer)

    @property
    def optimizers(self) -> list[Optimizer]:
        """The inner optimizers, in the order their variables appear in `variables`."""
        return self._inner_optimizers

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the "
                             "learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the learning "
                             "rate on the individual sub-optimizers instead.")

    @property
    def loss_scale_factor(self):
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in self.__dict__.get("_inner_optimizers", ()):
            optimizer.loss_scale_factor = value

    def build(self, variables) -> None:
        """Assigns every variable to its optimizer and builds each on its variables."""
        if self.built:
            return
        variables = list(variables)
        self._optimizer_index: dict[int, int] = {}
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            _check_inner(optimizer, variable)
            if optimizer not in self._inner_optimizers:
                optimizer.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(optimizer)
            self._optimizer_index[id(variable)] = self._inner_optimizers.index(optimizer)
        for index, optimizer in enumerate(self._inner_optimizers):
            own = self._grouped(variables, index)
            if own:
                optimizer.build(own)
        super().build(variables)

    def _grouped(self, items, index, keys=None):
        keys = items if keys is None else keys
        return [item for item, key in zip(items, keys)
                if self._optimizer_index[id(key)] == index]

    @property
    def variables(self) -> list[torch.Tensor]:
        own = [self._iterations, self._learning_rate]
        return own + [v for optimizer in self._inner_optimizers for v in optimizer.variables]

    def apply(self, grads, trainable_variables=None) -> None:
        """Hands each inner optimizer its variables' gradients, then `iterations += 1`."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(self._optimizer_index):
            raise ValueError("Gradients must match trainable variables one-to-one. Received "
                             f"{len(grads)} gradients and {len(self._optimizer_index)} variables.")
        for index, optimizer in enumerate(self._inner_optimizers):
            own = self._grouped(trainable_variables, index)
            if own:
                optimizer.apply(self._grouped(list(grads), index, trainable_variables), own)
        with torch.no_grad():
            self._iterations.add_(1)

    def finalize_variable_values(self, var_list) -> None:
        var_list = list(var_list)
        for index, optimizer in enumerate(self._inner_optimizers):
            own = self._grouped(var_list, index)
            if own:
                optimizer.finalize_variable_values(own)

    def set_weights(self, weights) -> None:
        """Its own two variables, then each inner optimizer's, in `variables` order."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet "
                             "been built. Please call `optimizer.build(trainable_variables)` "
                             "to create the optimizer weights before calling `set_weights()`.")
        with torch.no_grad():
            self._iterations.copy_(torch.as_tensor(weights[0]))
            self._learning_rate.copy_(torch.as_tensor(weights[1]))
        start = 2
        for optimizer in self._inner_optimizers:
            count = len(optimizer.variables)
            if count:
                optimizer.set_weights(weights[start:start + count])
                start += count

    def get_config(self) -> dict:
        return {"optimizer_map": serialize_keras_object(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["optimizer_map"] = deserialize_keras_object(config["optimizer_map"],
                                                           custom_objects)
        return cls(**config)


def _check_inner(optimizer, variable) -> None:
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"Optimizer for variable {_path(variable) or tuple(variable.shape)} is "
                         "not an Optimizer instance.")
    if isinstance(optimizer, LossScaleOptimizer):
        raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
