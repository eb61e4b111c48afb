"""Keras' loss classes: each wraps one loss function and its options.

Every class takes `reduction`, `name` and `dtype` as `Loss` does; `get_config()` holds the
name, the reduction and the class's own options, so `cls.from_config(loss.get_config())`
rebuilds an equal loss.

Example:
    >>> import torch
    >>> loss = SparseCategoricalCrossentropy()
    >>> loss(torch.tensor([0, 2]), torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
    tensor(0.2899)
"""
from __future__ import annotations

from lamina.losses import metric_learning, sequence
from lamina.losses import overlap
from lamina.losses import probabilistic as prob
from lamina.losses import regression as reg
from lamina.losses.base import Loss, LossFunctionWrapper

__all__ = [
    "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy",
    "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "KLDivergence", "Poisson",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "Huber", "LogCosh", "CosineSimilarity",
    "Hinge", "SquaredHinge", "CategoricalHinge", "Dice", "Tversky", "CTC", "Circle",
    "CategoricalGeneralizedCrossEntropy",
]

_SUM = "sum_over_batch_size"


class _BuiltinLoss(LossFunctionWrapper):
    """A wrapper whose function is fixed by the class: its config lists the options, not `fn`."""

    def __init__(self, fn, reduction, name, dtype, **options):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self) -> dict:
        """Name, reduction and this loss's options."""
        config = Loss.get_config(self)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the loss from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        options = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({options})"


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy for integer labels `(N,)` or `(N, 1)` against `(N, C)` outputs.

    Args:
        from_logits: whether outputs are logits.
        ignore_class: a label excluded from the loss and from the mean.
        axis: the class axis of the outputs.

    Example:
        >>> loss = SparseCategoricalCrossentropy(from_logits=True)
        >>> loss(torch.tensor([1]), torch.tensor([[0.0, 0.0]]))
        tensor(0.6931)
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction=_SUM, axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(prob.sparse_categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def get_config(self) -> dict:
        # Keras' config has no `axis` (its reload takes the default); a non-default one is
        # kept here, which Keras' constructor accepts too.
        config = super().get_config()
        if config.get("axis") == -1:
            del config["axis"]
        return config


class CategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy for one-hot labels `(N, C)`.

    Args:
        from_logits: whether outputs are logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / C`.
        axis: the class axis.

    Example:
        >>> CategoricalCrossentropy()(torch.tensor([[0., 1.]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.6931)
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_SUM,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(prob.categorical_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryCrossentropy(_BuiltinLoss):
    """Binary cross-entropy for labels in [0, 1].

    Args:
        from_logits: whether outputs are logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / 2`.
        axis: the axis averaged over.

    Example:
        >>> BinaryCrossentropy()(torch.tensor([1.0, 0.0]), torch.tensor([[0.5], [0.5]]))
        tensor(0.6931)
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_SUM,
                 name="binary_crossentropy", dtype=None):
        super().__init__(prob.binary_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary cross-entropy scaled by the focal factor `(1 - p_t) ** gamma`.

    Args:
        apply_class_balancing: weight class 1 by `alpha`, class 0 by `1 - alpha`.
        alpha: the class-1 weight.
        gamma: the focusing exponent.
        from_logits, label_smoothing, axis: as `BinaryCrossentropy`.

    Example:
        >>> BinaryFocalCrossentropy(gamma=0.0)(torch.tensor([[1.0]]), torch.tensor([[0.5]]))
        tensor(0.6931)
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction=_SUM,
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(prob.binary_focal_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma)


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical cross-entropy scaled by `alpha * (1 - p) ** gamma`.

    Args:
        alpha: a float or C per-class weights.
        gamma: the focusing exponent.
        from_logits, label_smoothing, axis: as `CategoricalCrossentropy`.

    Example:
        >>> loss = CategoricalFocalCrossentropy(alpha=1.0, gamma=0.0)
        >>> loss(torch.tensor([[0., 1.]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.6931)
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction=_SUM, name="categorical_focal_crossentropy", dtype=None):
        super().__init__(prob.categorical_focal_crossentropy, reduction, name, dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
                         alpha=alpha, gamma=gamma)


class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence between label and predicted distributions.

    Example:
        >>> KLDivergence()(torch.tensor([[0.5, 0.5]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.)
    """

    def __init__(self, reduction=_SUM, name="kl_divergence", dtype=None):
        super().__init__(prob.kl_divergence, reduction, name, dtype)


class Poisson(_BuiltinLoss):
    """Poisson loss `y_pred - y_true * log(y_pred)`.

    Example:
        >>> Poisson()(torch.tensor([[1.0]]), torch.tensor([[1.0]]))
        tensor(1.0000)
    """

    def __init__(self, reduction=_SUM, name="poisson", dtype=None):
        super().__init__(prob.poisson, reduction, name, dtype)


class MeanSquaredError(_BuiltinLoss):
    """Mean of squared errors.

    Example:
        >>> MeanSquaredError()(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor(1.)
    """

    def __init__(self, reduction=_SUM, name="mean_squared_error", dtype=None):
        super().__init__(reg.mean_squared_error, reduction, name, dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute errors.

    Example:
        >>> MeanAbsoluteError()(torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 1.0]]))
        tensor(1.)
    """

    def __init__(self, reduction=_SUM, name="mean_absolute_error", dtype=None):
        super().__init__(reg.mean_absolute_error, reduction, name, dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """Mean absolute error as a percentage of the targets.

    Example:
        >>> MeanAbsolutePercentageError()(torch.tensor([[2.0]]), torch.tensor([[1.0]]))
        tensor(50.)
    """

    def __init__(self, reduction=_SUM, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(reg.mean_absolute_percentage_error, reduction, name, dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared error between `log(1 + y_true)` and `log(1 + y_pred)`.

    Example:
        >>> MeanSquaredLogarithmicError()(torch.tensor([[1.0]]), torch.tensor([[1.0]]))
        tensor(0.)
    """

    def __init__(self, reduction=_SUM, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(reg.mean_squared_logarithmic_error, reduction, name, dtype)


class Huber(_BuiltinLoss):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: where the loss turns linear.

    Example:
        >>> Huber(delta=1.0)(torch.tensor([[0.0]]), torch.tensor([[3.0]]))
        tensor(2.5000)
    """

    def __init__(self, delta=1.0, reduction=_SUM, name="huber_loss", dtype=None):
        super().__init__(reg.huber, reduction, name, dtype, delta=delta)


class LogCosh(_BuiltinLoss):
    """Logarithm of the hyperbolic cosine of the error.

    Example:
        >>> LogCosh()(torch.tensor([[0.0]]), torch.tensor([[0.0]]))
        tensor(0.)
    """

    def __init__(self, reduction=_SUM, name="log_cosh", dtype=None):
        super().__init__(reg.log_cosh, reduction, name, dtype)


class CosineSimilarity(_BuiltinLoss):
    """Negative cosine similarity (-1 when predictions point the same way as targets).

    Args:
        axis: the axis the vectors lie along.

    Example:
        >>> CosineSimilarity()(torch.tensor([[1.0, 1.0]]), torch.tensor([[2.0, 2.0]]))
        tensor(-1.0000)
    """

    def __init__(self, axis=-1, reduction=_SUM, name="cosine_similarity", dtype=None):
        super().__init__(reg.cosine_similarity, reduction, name, dtype, axis=axis)


class Hinge(_BuiltinLoss):
    """Hinge loss for labels -1/1 (0/1 are converted).

    Example:
        >>> Hinge()(torch.tensor([[1.0]]), torch.tensor([[0.25]]))
        tensor(0.7500)
    """

    def __init__(self, reduction=_SUM, name="hinge", dtype=None):
        super().__init__(reg.hinge, reduction, name, dtype)


class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss for labels -1/1 (0/1 are converted).

    Example:
        >>> SquaredHinge()(torch.tensor([[1.0]]), torch.tensor([[0.5]]))
        tensor(0.2500)
    """

    def __init__(self, reduction=_SUM, name="squared_hinge", dtype=None):
        super().__init__(reg.squared_hinge, reduction, name, dtype)


class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss for one-hot labels.

    Example:
        >>> CategoricalHinge()(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.3, 0.6]]))
        tensor(0.7000)
    """

    def __init__(self, reduction=_SUM, name="categorical_hinge", dtype=None):
        super().__init__(reg.categorical_hinge, reduction, name, dtype)


class Dice(_BuiltinLoss):
    """Dice loss, `1 - 2*sum(y_true*y_pred) / (sum(y_true) + sum(y_pred))`, over `axis`.

    Args:
        axis: the axes summed over; None (default) gives one value for the whole batch,
            `(1, 2, 3)` one per image of `(N, H, W, C)` masks.

    Example:
        >>> Dice()(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]]))
        tensor(0.5000)
    """

    def __init__(self, reduction=_SUM, name="dice", axis=None, dtype=None):
        super().__init__(overlap.dice, reduction, name, dtype, axis=axis)


class Tversky(_BuiltinLoss):
    """Tversky loss, Dice with the two kinds of error weighted by `alpha` and `beta`.

    Args:
        alpha: weight of `sum((1 - y_pred)*y_true)`. Defaults to 0.5.
        beta: weight of `sum(y_pred*(1 - y_true))`. Defaults to 0.5.
        axis: the axes summed over, as for `Dice`.

    Example:
        >>> Tversky(alpha=0.7, beta=0.3)(torch.tensor([[1.0, 1.0, 0.0]]),
        ...                              torch.tensor([[1.0, 0.0, 1.0]]))
        tensor(0.5000)
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction=_SUM, name="tversky", axis=None,
                 dtype=None):
        super().__init__(overlap.tversky, reduction, name, dtype, alpha=alpha, beta=beta,
                         axis=axis)


class CTC(_BuiltinLoss):
    """Connectionist Temporal Classification loss: 0-padded integer labels `(N, S)` (0 is the
    blank) against logits `(N, T, num_classes)`.

    Example:
        >>> CTC()(torch.tensor([[1]]), torch.zeros(1, 3, 2))
        tensor(0.2877)
    """

    def __init__(self, reduction=_SUM, name="ctc", dtype=None):
        super().__init__(sequence.ctc, reduction, name, dtype)


class Circle(_BuiltinLoss):
    """Circle loss between integer labels and L2-normalized embeddings (see `circle`).

    Put a `UnitNormalization` layer after the embedding layer (with no activation).

    Args:
        gamma: Scale of the similarities. Defaults to 80.
        margin: Relaxation of the optimum. Defaults to 0.4.
        remove_diagonal: Leave each sample's pair with itself out of its positives.

    Example:
        >>> embeddings = torch.eye(2)
        >>> Circle(gamma=1.0)(torch.tensor([0, 1]), embeddings)
        tensor(0.)
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction=_SUM,
                 name="circle", dtype=None):
        super().__init__(metric_learning.circle, reduction, name, dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)


class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized cross-entropy, `(1 - p**q) / q`, robust to noisy labels (integer labels
    against probabilities; see `categorical_generalized_cross_entropy`).

    Args:
        q: The noise parameter, in (0, 1): near 0 like cross-entropy, near 1 like MAE.

    Example:
        >>> CategoricalGeneralizedCrossEntropy(q=0.5)(torch.tensor([1]),
        ...                                           torch.tensor([[0.75, 0.25]]))
        tensor(1.)
    """

    def __init__(self, q=0.5, reduction=_SUM, name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q}")
        super().__init__(prob.categorical_generalized_cross_entropy, reduction, name, dtype, q=q)
