"""BatchNormalization: normalizes with the batch's statistics in training, moving ones otherwise."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import backend, constraints, initializers, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.normalization.axes import check_axis_argument, require_known_sizes, resolve_axes

__all__ = ["BatchNormalization"]

_RENORM_CLIPPING_KEYS = ("rmax", "rmin", "dmax")


class BatchNormalization(Layer):
    """Normalizes each channel of `axis` to mean 0 and variance 1, then scales and shifts it.

    In training (`fit`, or `training=True`) the layer normalizes with the batch's mean and
    (biased) variance and moves `moving_mean` / `moving_variance` towards them:
    `moving = moving * momentum + batch * (1 - momentum)`. Otherwise it normalizes with the
    moving statistics. As in Keras, `trainable=False` means inference mode even in training.

    Args:
        axis: the channel axis (-1 for channels_last, 1 after a channels_first convolution).
        momentum: momentum of the moving averages (Keras' 0.99 is torch's momentum 0.01).
        epsilon: added to the variance before the square root.
        center, scale: whether to add `beta` / multiply by `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: initializers (zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Dense.
        renorm: use Batch Renormalization (Ioffe 2017) in training.
        renorm_clipping: optional `{"rmax", "rmin", "dmax"}` clipping of the renorm correction.
        renorm_momentum: momentum of the renorm statistics.
        synchronized: only supported (by Keras) on TensorFlow; must stay False.

    Call arguments:
        inputs: a tensor of any rank.
        training: whether to use and update batch statistics.
        mask: `(batch, ...)` booleans, one axis less than `inputs`; masked steps are left out
            of the batch statistics.

    Example:
        >>> layer = BatchNormalization()
        >>> layer.build((None, 64))
        >>> layer.count_params(), len(layer.non_trainable_weights)
        (256, 2)
        >>> x = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
        >>> bn = BatchNormalization(momentum=0.0)
        >>> _ = bn(x, training=True)
        >>> bn.moving_variance.numpy()  # the biased variance of [1, 2, 3, 6]
        array([3.5], dtype=float32)
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm: bool = False,
                 renorm_clipping: dict | None = None, renorm_momentum: float = 0.99,
                 synchronized: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(f"BatchNormalization '{self.name}'", axis, allow_list=False)
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported with the TensorFlow "
                             "backend. Under lamina, each device normalizes with its own batch "
                             "statistics; pass synchronized=False (the default).")
        self.synchronized = False
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.renorm = renorm
        self.renorm_clipping = _check_renorm_clipping(renorm_clipping) if renorm else renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self._axis = None
        self._reduction_axes = None

    def build(self, input_shape) -> None:
        self._axis = resolve_axes(self, input_shape)[0]
        (channels,) = require_known_sizes(self, [self._axis], input_shape)
        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", trainable=False,
                                           initializer=self.moving_mean_initializer,
                                           autocast=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance", trainable=False,
                                               initializer=self.moving_variance_initializer,
                                               autocast=False)
        if self.renorm:
            self.moving_stddev = self.add_weight(shape=shape, name="moving_stddev", trainable=False,
                                                 initializer=self.moving_variance_initializer,
                                                 autocast=False)
            self.renorm_mean = self.add_weight(shape=shape, name="renorm_mean", trainable=False,
                                               initializer=self.moving_mean_initializer,
                                               autocast=False)
            self.renorm_stddev = self.add_weight(shape=shape, name="renorm_stddev", trainable=False,
                                                 initializer=self.moving_variance_initializer,
                                                 autocast=False)
            with torch.no_grad():
                self.moving_stddev.sqrt_()
                self.renorm_stddev.sqrt_()
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self._axis: channels})
        self._reduction_axes = [a for a in range(len(input_shape)) if a != self._axis]

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(f"BatchNormalization '{self.name}': the mask should have one dimension "
                             f"less than the inputs. Received: mask.shape={tuple(mask.shape)}, "
                             f"inputs.shape={tuple(inputs.shape)}")
        x = inputs.to(torch.promote_types(inputs.dtype, torch.float32))
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        if not (training and self.trainable):
            outputs = self._batch_norm(x, self.moving_mean.to(x.dtype),
                                       self.moving_variance.to(x.dtype), gamma, beta, training=False)
        elif self.renorm:
            mean, variance = self._moments(x, mask)
            gamma, beta = self._renorm_transform(mean, variance, gamma, beta)
            outputs = _normalize(x, mean, variance, gamma, beta, self._axis, self.epsilon)
        elif mask is not None or x.numel() == x.shape[self._axis]:
            # Keras' masked moments (and one value per channel, where torch's kernel refuses
            # to train): the same formula, written out.
            mean, variance = self._moments(x, mask)
            self._update_moving_statistics(mean.detach(), variance.detach())
            outputs = _normalize(x, mean, variance, gamma, beta, self._axis, self.epsilon)
        else:
            # torch's fused kernel normalizes with the biased batch variance, as Keras does, and
            # hands back the batch statistics from the same pass: with momentum 1 its running
            # buffers receive the batch mean and the unbiased variance, which (n - 1) / n turns
            # into the biased one that Keras moves its statistics with.
            channels = x.shape[self._axis]
            batch_mean, batch_variance = x.new_zeros(channels), x.new_zeros(channels)
            outputs = self._batch_norm(x, batch_mean, batch_variance, gamma, beta, training=True)
            count = x.numel() // channels
            self._update_moving_statistics(batch_mean, batch_variance * ((count - 1) / count))
        return outputs.to(self._dtype)

    def _batch_norm(self, x, mean, variance, gamma, beta, training: bool):
        """torch's fused batch norm (channels on dim 1); in training it fills `mean`/`variance`."""
        momentum = 1.0 if training else 0.0
        if self._axis == x.ndim - 1 and x.ndim not in (4, 5):
            # (..., C) as (N, C): a free view, which the 2-D kernel reads as it lies.
            flat = x.reshape(-1, x.shape[-1])
            return F.batch_norm(flat, mean, variance, gamma, beta, training, momentum,
                                self.epsilon).reshape(x.shape)
        # Channels-last images moved to dim 1 are a view in torch's channels_last layout,
        # which its CPU and cuDNN kernels read without a copy.
        moved = x.movedim(self._axis, 1)
        outputs = F.batch_norm(moved, mean, variance, gamma, beta, training, momentum,
                               self.epsilon)
        return outputs.movedim(1, self._axis)

    def _moments(self, x, mask):
        """The batch mean and biased variance per channel (masked steps left out)."""
        if mask is None:
            variance, mean = torch.var_mean(x, dim=self._reduction_axes, correction=0)
            return mean, variance
        weights = mask.to(torch.bool).unsqueeze(-1).expand(x.shape).to(x.dtype)
        count = weights.sum(dim=self._reduction_axes, keepdim=True) + backend.epsilon()
        mean = (x * weights).sum(dim=self._reduction_axes, keepdim=True) / count
        variance = ((x - mean) * weights).square().sum(dim=self._reduction_axes, keepdim=True) / count
        return mean.reshape(-1), variance.reshape(-1)

    def _update_moving_statistics(self, mean, variance) -> None:
        # In place on the buffers, with tensors only: no host sync in a training step.
        with torch.no_grad():
            self.moving_mean.mul_(self.momentum).add_(mean.to(self.moving_mean.dtype),
                                                      alpha=1.0 - self.momentum)
            self.moving_variance.mul_(self.momentum).add_(variance.to(self.moving_variance.dtype),
                                                          alpha=1.0 - self.momentum)

    def _renorm_transform(self, mean, variance, gamma, beta):
        """Batch renormalization: the corrected gamma and beta; updates the renorm statistics."""
        stddev = torch.sqrt(variance + self.epsilon)
        with torch.no_grad():
            renorm_stddev = torch.clamp(self.renorm_stddev.to(mean.dtype), min=self.epsilon ** 0.5)
            r = stddev / renorm_stddev
            d = (mean - self.renorm_mean.to(mean.dtype)) / renorm_stddev
            clipping = self.renorm_clipping or {}
            if clipping.get("rmin") is not None:
                r = torch.clamp(r, min=clipping["rmin"])
            if clipping.get("rmax") is not None:
                r = torch.clamp(r, max=clipping["rmax"])
            if clipping.get("dmax") is not None:
                d = torch.clamp(d, -clipping["dmax"], clipping["dmax"])
            batch_mean, batch_stddev = mean.detach(), stddev.detach()
            momentum, renorm_momentum = self.momentum, self.renorm_momentum
            self.renorm_mean.mul_(renorm_momentum).add_(batch_mean, alpha=1.0 - renorm_momentum)
            self.renorm_stddev.mul_(renorm_momentum).add_(batch_stddev, alpha=1.0 - renorm_momentum)
            self.moving_mean.mul_(momentum).add_(batch_mean, alpha=1.0 - momentum)
            self.moving_stddev.mul_(momentum).add_(batch_stddev, alpha=1.0 - momentum)
            self.moving_variance.copy_(torch.relu(self.moving_stddev.square() - self.epsilon))
        new_gamma = r if gamma is None else r * gamma
        new_beta = d if gamma is None else d * gamma
        return new_gamma, new_beta if beta is None else new_beta + beta

    def compute_output_shape(self, input_shape):
        resolve_axes(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum}


def _normalize(x, mean, variance, gamma, beta, axis: int, epsilon: float):
    """Keras' batch-norm formula `x * inv + (beta - mean * inv)`, `inv = gamma / sqrt(var + eps)`."""
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    inv = torch.rsqrt(variance.reshape(shape) + epsilon)
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    shift = -mean.reshape(shape) * inv
    if beta is not None:
        shift = shift + beta.reshape(shape)
    return x * inv + shift


def _check_renorm_clipping(clipping):
    clipping = dict(clipping or {})
    unknown = set(clipping) - set(_RENORM_CLIPPING_KEYS)
    if unknown:
        raise ValueError(f"Received invalid keys for `renorm_clipping` argument: {clipping}. "
                         f"Supported values: {list(_RENORM_CLIPPING_KEYS)}.")
    rmax, rmin, dmax = (clipping.get(key) for key in ("rmax", "rmin", "dmax"))
    if rmax is not None and rmin is not None and rmax < rmin:
        raise ValueError(f"rmax should be greater than rmin in the `renorm_clipping` argument. "
                         f"Received: rmax={rmax}, rmin={rmin}.")
    if dmax is not None and dmax < 0:
        raise ValueError(f"dmax should be non-negative in the `renorm_clipping` argument. "
                         f"Received: dmax={dmax}.")
    return clipping
