"""Intersection-over-Union metrics: IoU, MeanIoU, OneHotIoU, OneHotMeanIoU and BinaryIoU.

All keep one running `(num_classes, num_classes)` confusion matrix (rows: labels, columns:
predictions) in Keras' integer dtype (int32), weighted by `sample_weight` cast to that dtype
as Keras casts it (so fractional weights are truncated; pass integer weights). The IoU of
class `c` is `cm[c, c] / (row_sum[c] + column_sum[c] - cm[c, c])`; classes never seen
(an empty row and column) are left out of the mean.

Example:
    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
"""
from __future__ import annotations

import warnings

import torch

from lamina import backend
from lamina.losses.base import check_sample_weight_shape
from lamina.metrics.base import Metric, squeeze_or_expand_to_same_rank

__all__ = ["IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "BinaryIoU"]

# Keras' "int" on the JAX and torch backends.
_DEFAULT_DTYPE = "int32"


class _IoUBase(Metric):
    """The confusion matrix behind the IoU metrics."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(name=name, dtype=dtype or _DEFAULT_DTYPE)
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes),
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch's (weighted) label/prediction pairs to the confusion matrix.

        Args:
            y_true: Class ids (or one-hot / scores with `sparse_y_true=False`).
            y_pred: Class ids (or scores with `sparse_y_pred=False`).
            sample_weight: None, a scalar, or weights shaped like the labels.
        """
        self._follow_device(y_pred, y_true, sample_weight)
        dtype = self._torch_dtype
        y_true, y_pred = self._to_tensor(y_true), self._to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = y_true.argmax(dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = y_pred.argmax(dim=self.axis)
        y_true, y_pred = y_true.to(dtype).reshape(-1), y_pred.to(dtype).reshape(-1)
        if sample_weight is None:
            weights = torch.ones((), dtype=dtype, device=self._device)
        else:
            weights = self._to_tensor(sample_weight)
            if weights.is_floating_point() and not dtype.is_floating_point:
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                              "result in an incorrect weight due to type casting Consider using "
                              "integer weights.", stacklevel=2)
            weights = weights.to(dtype).reshape(-1)
            check_sample_weight_shape(weights, y_true.shape, per_sample=False)
        weights = weights.broadcast_to(y_true.shape)
        in_bounds = ((y_true >= 0) & (y_true < self.num_classes)
                     & (y_pred >= 0) & (y_pred < self.num_classes))
        if self.ignore_class is not None:
            in_bounds &= y_true != self.ignore_class
        y_true = torch.where(in_bounds, y_true, 0)
        y_pred = torch.where(in_bounds, y_pred, 0)
        weights = torch.where(in_bounds, weights, 0)
        cells = y_true.long() * self.num_classes + y_pred.long()
        # index_add_ keeps the step free of host reads (bincount would read its length).
        self.total_cm.view(-1).index_add_(0, cells, weights.to(self.total_cm.dtype))

    def _ious(self, class_ids) -> tuple[torch.Tensor, torch.Tensor]:
        """(IoU per class in `class_ids`, whether each class was seen), in float32."""
        cm = self.total_cm
        true_positives = cm.diagonal()
        denominators = cm.sum(dim=0) + cm.sum(dim=1) - true_positives
        ids = torch.as_tensor(class_ids, dtype=torch.long, device=cm.device)
        true_positives = true_positives[ids].to(torch.float32)
        denominators = denominators[ids].to(torch.float32)
        valid = denominators > 1e-9
        ious = torch.where(valid, true_positives / (denominators + backend.epsilon()), 0.0)
        return ious, valid

    def _mean_iou(self, class_ids) -> torch.Tensor:
        ious, valid = self._ious(class_ids)
        return ious.sum() / (valid.to(torch.float32).sum() + backend.epsilon())


class IoU(_IoUBase):
    """The mean IoU of the classes in `target_class_ids` (one id: that class's IoU).

    Args:
        num_classes: Number of classes (the confusion matrix is `num_classes` square).
        target_class_ids: The class ids whose IoUs are averaged.
        name: Defaults to 'io_u' (Keras' name).
        dtype: Dtype of the confusion matrix; defaults to 'int32' as in Keras.
        ignore_class: A label id left out (e.g. a "void" class 255).
        sparse_y_true: Labels are class ids (True) or one-hot/scores (argmax taken).
        sparse_y_pred: Predictions are class ids (True) or scores (argmax taken).
        axis: The class axis of dense inputs. Defaults to -1.

    Example:
        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self) -> torch.Tensor:
        """The mean IoU over the target classes that were seen (0 before any update)."""
        return self._mean_iou(self.target_class_ids)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of a binary task: predictions `>= threshold` are class 1, the others class 0.

    Args:
        target_class_ids: `[0]`, `[1]` or `[0, 1]` (default: the mean of both).
        threshold: The score from which a prediction counts as class 1. Defaults to 0.5.
        name: Defaults to 'binary_io_u'.
        dtype: Dtype of the confusion matrix; defaults to 'int32'.

    Example:
        >>> m = BinaryIoU(target_class_ids=[1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(self, target_class_ids=(0, 1), threshold: float = 0.5, name: str | None = None,
                 dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Thresholds the scores (labels are cast to integers), then counts the pairs."""
        self._follow_device(y_pred, y_true, sample_weight)
        y_true = self._to_tensor(y_true).to(self._torch_dtype)
        y_pred = self._to_tensor(y_pred, torch.float32) >= self.threshold
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred.to(self._torch_dtype))
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """The mean IoU over all `num_classes` classes (those seen).

    Args:
        num_classes: Number of classes.
        name: Defaults to 'mean_io_u'.
        dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: As for `IoU`.

    Example:
        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[3, 1, 2, 1])
        >>> round(float(m.result()), 4)
        0.375
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """`IoU` for one-hot labels `(..., num_classes)` (argmax taken) and scores.

    Args:
        num_classes: Number of classes.
        target_class_ids: The class ids whose IoUs are averaged.
        name: Defaults to 'one_hot_io_u'.
        sparse_y_pred: Predictions are class ids (True) or scores (False, the default).
        dtype, ignore_class, axis: As for `IoU`.

    Example:
        >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1],
        ...                 [0.1, 0.4, 0.5]])
        >>> round(float(m.result()), 4)
        0.1667
    """

    def __init__(self, num_classes: int, target_class_ids, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels `(..., num_classes)` (argmax taken) and scores.

    Args:
        num_classes: Number of classes.
        name: Defaults to 'one_hot_mean_io_u'.
        sparse_y_pred: Predictions are class ids (True) or scores (False, the default).
        dtype, ignore_class, axis: As for `IoU`.

    Example:
        >>> m = OneHotMeanIoU(num_classes=3)
        >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
        ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1],
        ...                 [0.1, 0.4, 0.5]])
        >>> round(float(m.result()), 4)
        0.1111
    """

    def __init__(self, num_classes: int, name: str | None = None, dtype=None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes=num_classes, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
