"""TorchModuleWrapper: a plain `torch.nn.Module` as a Keras layer.

lamina's layers are torch modules already, so a `torch.nn.Module` kept on a layer trains with
it; the wrapper adds what Keras gives: the module's parameters as the layer's `weights`
(trainable or not as their `requires_grad` was when wrapped), its whole `state_dict` in saved
files, a config holding the pickled module, and output shapes for the functional API.

Example:
    >>> layer = TorchModuleWrapper(torch.nn.Linear(4, 2))
    >>> layer(torch.ones(3, 4)).shape
    torch.Size([3, 2])
    >>> [tuple(w.shape) for w in layer.weights]
    [(2, 4), (2,)]
"""
from __future__ import annotations

import base64
import io

import numpy as np
import torch
from torch import nn

from lamina import backend
from lamina.layers.layer import Layer

__all__ = ["TorchModuleWrapper"]

_UNSAFE_MODULE = (
    "Requested the deserialization of a `torch.nn.Module` object via `torch.load()`. This "
    "carries a potential risk of arbitrary code execution and thus it is disallowed by default. "
    "If you trust the source of the artifact, you can override this error by passing "
    "`safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()`.")


class TorchModuleWrapper(Layer):
    """Wraps a `torch.nn.Module` so that its parameters are the layer's weights.

    The module runs in training mode when the layer is called with `training=True` (as in
    `fit`) and in evaluation mode otherwise (lamina's layers compute in inference mode unless
    training is asked for; Keras puts the module in training mode for `training=None` too).

    Args:
        module: the `torch.nn.Module`; a lazy module must have been initialized (called once).
        name: the layer's name.
        output_shape: the output shape (batch axis included) returned by
            `compute_output_shape`; by default it is found by running the module on PyTorch's
            meta device.

    Example:
        >>> inputs = lamina.Input((1, 8, 8))
        >>> conv = TorchModuleWrapper(torch.nn.Conv2d(1, 4, kernel_size=3))
        >>> lamina.Model(inputs, conv(inputs)).output_shape
        (None, 4, 6, 6)
    """

    def __init__(self, module, name: str | None = None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, nn.Module):
            raise TypeError(f"`module` must be a `torch.nn.Module` instance. Received: "
                            f"module={module!r} of type {type(module).__name__}.")
        if isinstance(module, nn.modules.lazy.LazyModuleMixin) and module.has_uninitialized_params():
            raise ValueError(f"LazyModules are not supported unless they are already "
                             f"initialized. Received uninitialized LazyModule: module={module}")
        self.module = module.to(backend.get_device())
        self.output_shape = output_shape
        self._trainable_at_wrap = {id(p) for p in self.module.parameters() if p.requires_grad}
        self.built = True
        if not self._trainable:
            self.trainable = False

    def _own_weight_tensors(self, trainable: bool) -> list[torch.Tensor]:
        return [p for p in self.module.parameters() if (id(p) in self._trainable_at_wrap) == trainable]

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        Layer.trainable.fset(self, value)
        # Plain parameters have no `trainable` flag: freezing is `requires_grad`.
        for parameter in self._own_weight_tensors(trainable=True):
            parameter.requires_grad_(bool(value))

    def call(self, *args, training=None, **kwargs):
        self.module.train(bool(training))
        return self.module(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self.output_shape is None:
            return super().compute_output_shape(input_shape)
        return tuple(self.output_shape)

    def save_own_variables(self, store) -> None:
        """The module's whole `state_dict` (buffers too, e.g. BatchNorm statistics), by key."""
        for key, value in self.module.state_dict().items():
            store[key] = backend.to_numpy(value)

    def load_own_variables(self, store) -> None:
        """Loads the module's `state_dict` from the arrays `save_own_variables` wrote."""
        # load_state_dict copies each array into the tensor it replaces, on that one's device.
        self.module.load_state_dict({(key.decode() if isinstance(key, bytes) else key):
                                     torch.as_tensor(np.asarray(store[key])) for key in store.keys()})

    def get_config(self) -> dict:
        buffer = io.BytesIO()
        torch.save(self.module, buffer)
        return {**super().get_config(),
                "module": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "output_shape": self.output_shape}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        """Unpickles the module with `torch.load`, only where unsafe deserialization was asked
        for (`safe_mode=False` here or in the loading function, or
        `keras.config.enable_unsafe_deserialization()`).

        Raises:
            ValueError: in safe mode (the default).
        """
        from lamina.saving.serialization_lib import in_safe_mode

        config = dict(config)
        if "module" in config:
            effective = safe_mode if safe_mode is not None else in_safe_mode()
            if effective is not False:
                raise ValueError(_UNSAFE_MODULE)
            buffer = io.BytesIO(base64.b64decode(config["module"].encode("ascii")))
            config["module"] = torch.load(buffer, weights_only=False,
                                          map_location=backend.get_device())
        return cls(**config)
