"""A written-out train step for the most common model of all: a chain of Dense layers.

`Flatten -> Dense(relu)... -> Dense(softmax)` trained with sparse categorical cross-entropy
is tutorial 01's model. For it, autograd's bookkeeping costs more than the matmuls on a CPU,
so this module computes the same forward pass, Keras' clipped loss and its gradients directly:
three matmuls per layer, the ReLU masks, `softmax - onehot` for the loss (zero where Keras'
clip is active), into gradient buffers that are reused every step. The optimizer, metrics and
loss trackers are the engine's own. Tests check that an epoch ends with the weights of the
autograd step to float32 rounding; anything outside the pattern (other layers, activations or
losses, regularizers, constraints, masks, a custom `call`, loss scaling, mixed precision)
takes the generic step.

Example:
    >>> model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(3, activation="relu"),
    ...                            lamina.layers.Dense(2, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    >>> _ = model.fit(np.ones((8, 4)), np.zeros(8), verbose=0)
    >>> model._engine.fused is not None  # fit's steps were written out
    True
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import activations, backend
from lamina.losses import probabilistic

__all__ = ["DenseChain"]

_EPSILON = backend.epsilon()
# Keras clips probabilities to [eps, 1 - eps]: the loss -log p lies in [-log(1-eps), -log eps]
# and its gradient is zero outside (as torch's clamp passes gradients only inside, bounds in).
_LOSS_LOW = -math.log1p(-_EPSILON)
_LOSS_HIGH = -math.log(_EPSILON)
_UNKNOWN = object()


class DenseChain:
    """The written-out step of one model (see the module docstring); `match` builds it.

    Args:
        model: the compiled model.
        dense: its Dense layers, first to last.
        from_logits: whether the last layer is linear and the loss takes logits.
        flattens: whether a Flatten comes first (inputs are then reshaped to rows).
    """

    def __init__(self, model, dense: list, from_logits: bool, flattens: bool):
        self.model = model
        self.dense = dense
        self.from_logits = from_logits
        self.flattens = flattens
        self.activations = [layer.activation for layer in dense]  # as matched (see accepts)
        self.relu_after = [activations.serialize(layer.activation) == "relu" for layer in dense]
        self.params = [w for layer in dense for w in ((layer.kernel, layer.bias) if layer.use_bias
                                                       else (layer.kernel,))]
        self._grads = [torch.empty_like(p, memory_format=torch.contiguous_format)
                       for p in self.params]
        self._aranges: dict = {}
        self._negated: dict = {}
        self._accuracy = _UNKNOWN  # the metric counted inline (`_plain_accuracy`), once known

    @classmethod
    def match(cls, model) -> DenseChain | None:
        """The chain for `model` if it is exactly the supported pattern, else None."""
        from lamina.layers.core.dense import Dense
        from lamina.layers.reshaping.flatten import Flatten
        from lamina.models.sequential import Sequential

        if type(model).call is not Sequential.call or not isinstance(model, Sequential):
            return None
        layers = list(model.layers)
        flattens = bool(layers) and type(layers[0]) is Flatten
        if flattens:
            layers = layers[1:]
        if not layers or any(type(layer) is not Dense for layer in layers):
            return None
        if not all(_plain_dense(layer) for layer in layers):
            return None
        names = [activations.serialize(layer.activation) for layer in layers]
        if any(name not in ("relu", "linear") for name in names[:-1]):
            return None
        from_logits = _sparse_cross_entropy_from_logits(model)
        if from_logits is None or names[-1] != ("linear" if from_logits else "softmax"):
            return None
        if not _plain_optimizer(model.optimizer):
            return None
        chain = cls(model, layers, from_logits, flattens)
        return chain if chain.params else None

    def accepts(self, x, y, sample_weight, params) -> bool:
        """Whether this batch (and the weights now training) fit the written-out step."""
        if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)
                and x.device.type == "cpu" and x.dim() >= 2 and x.shape[0] > 0):
            return False
        features = math.prod(x.shape[1:]) if self.flattens else x.shape[-1]
        return ((self.flattens or x.dim() == 2) and features == self.dense[0]._input_dim
                and (sample_weight is None or (isinstance(sample_weight, torch.Tensor)
                                               and sample_weight.dim() == 1))
                and len(params) == len(self.params)
                and all(a is b for a, b in zip(params, self.params))
                # A learner may set `layer.activation` between fits; the step is written for
                # the activations it matched.
                and all(layer.activation is activation
                        for layer, activation in zip(self.dense, self.activations))
                and (y.dim() == 1 or (y.dim() == 2 and y.shape[1] == 1))
                and not y.is_floating_point() and _step_is_plain(self.model))

    @torch.no_grad()
    def train_step(self, engine, x, y, sample_weight) -> None:
        """Forward, loss, gradients, the optimizer's update, then the engine's metric updates."""
        rows = x.shape[0]
        hidden = x.reshape(rows, -1)
        if hidden.dtype != torch.float32:
            hidden = hidden.to(torch.float32)
        layer_inputs = []
        for layer, relu in zip(self.dense, self.relu_after):
            layer_inputs.append(hidden)
            if layer.use_bias:
                hidden = torch.addmm(layer.bias, hidden, layer.kernel)
            else:
                hidden = torch.mm(hidden, layer.kernel)
            if relu:
                hidden = torch.relu(hidden)
        logits = hidden
        labels = y.reshape(rows).long()
        losses = F.cross_entropy(logits, labels, reduction="none")
        probabilities = torch.softmax(logits, dim=-1)
        row_weight = None  # per-row factor of the gradient: Keras' clip, sample weights
        if not self.from_logits:
            # Keras' clip of the probability; the gradient is zero where it is active, i.e.
            # where clamping changed the loss (two ops, where comparing to both bounds is four).
            clipped = losses.clamp(_LOSS_LOW, _LOSS_HIGH)
            row_weight = clipped == losses
            losses = clipped
        if sample_weight is not None:
            weights = sample_weight.to(torch.float32)
            total = (losses * weights).mean()
            row_weight = weights if row_weight is None else weights * row_weight
        else:
            total = losses.mean()
        # d(mean)/dlogits = (softmax - onehot) * weight / rows, the weight 0 where clipped:
        # softmax/rows, then -1/rows at each label (one op fewer than scaling afterwards).
        scale = 1.0 / rows
        factor = self.model.optimizer.loss_scale_factor
        if factor is not None:  # apply() divides the gradients by it
            scale *= factor
        grad = probabilities * scale
        grad.index_put_((self._rows(rows), labels), self._minus(scale), accumulate=True)
        if row_weight is not None:
            grad.mul_(row_weight.unsqueeze(1))
        self._backward(grad, layer_inputs)
        self.model.optimizer.apply(self._grads, self.params)
        engine.metrics.update_losses(total, [total], rows)
        predictions = logits if self.from_logits else _softmax_output(probabilities, logits)
        accuracy = self._plain_accuracy(engine) if sample_weight is None else None
        if accuracy is not None:  # its update, inline: hits / rows, as its Mean counts them
            accuracy.total.add_((predictions.argmax(dim=-1) == labels).sum())
            accuracy.count.add_(rows)
        else:
            engine.metrics.update_state([y], [predictions], [sample_weight])

    def _plain_accuracy(self, engine):
        """The model's only metric when it is a plain `SparseCategoricalAccuracy`, else None."""
        if self._accuracy is _UNKNOWN:
            from lamina.metrics.accuracy import SparseCategoricalAccuracy

            per_output = engine.metrics.per_output
            metrics = per_output[0][0] if len(per_output) == 1 and not per_output[0][1] else []
            plain = (len(metrics) == 1 and type(metrics[0]) is SparseCategoricalAccuracy
                     and metrics[0]._torch_dtype == torch.float32)
            self._accuracy = metrics[0] if plain else None
        return self._accuracy

    def _minus(self, scale: float) -> torch.Tensor:
        """`-scale` as a tensor, kept for the scales seen (full and last batch)."""
        value = self._negated.get(scale)
        if value is None:
            value = self._negated[scale] = torch.tensor(-scale)
        return value

    def _rows(self, rows: int) -> torch.Tensor:
        """`arange(rows)`, kept for the batch sizes seen (two per fit: full and last)."""
        table = self._aranges.get(rows)
        if table is None:
            table = self._aranges[rows] = torch.arange(rows)
        return table

    def _backward(self, grad, layer_inputs) -> None:
        slot = len(self._grads)
        for index in range(len(self.dense) - 1, -1, -1):
            layer, layer_input = self.dense[index], layer_inputs[index]
            if layer.use_bias:
                slot -= 1
                torch.sum(grad, dim=0, out=self._grads[slot])
            slot -= 1
            torch.mm(layer_input.t(), grad, out=self._grads[slot])
            if index == 0:
                break
            grad = torch.mm(grad, layer.kernel.t())
            if self.relu_after[index - 1]:  # layer_input is that ReLU's output: pass where > 0
                grad = torch.ops.aten.threshold_backward(grad, layer_input, 0)


def _softmax_output(probabilities, logits):
    """The model's softmax output as lamina's activation returns it (logits attached)."""
    probabilities._keras_logits = logits
    probabilities._keras_logits_kind = "softmax"
    probabilities._keras_logits_axis = -1
    return probabilities


def _plain_dense(layer) -> bool:
    float32 = torch.float32
    return (layer.trainable and layer.kernel is not None and layer.kernel.dtype == float32
            and layer.kernel.requires_grad and layer.kernel_regularizer is None
            and layer.bias_regularizer is None and layer.activity_regularizer is None
            and layer.kernel_constraint is None and layer.bias_constraint is None
            and (not layer.use_bias or (layer.bias.dtype == float32 and layer.bias.requires_grad))
            and getattr(getattr(layer, "dtype_policy", None), "compute_dtype", "float32")
            in ("float32", float32)
            and not layer._forward_hooks and not layer._forward_pre_hooks
            and type(layer).call is _dense_call())


def _dense_call():
    from lamina.layers.core.dense import Dense

    return Dense.call


def _sparse_cross_entropy_from_logits(model):
    """`from_logits` of a plain sparse categorical cross-entropy loss, else None."""
    from lamina import losses

    compiled = model.compiled_loss
    if compiled is None or compiled.losses is None or len(compiled.losses) != 1:
        return None
    loss = compiled.losses[0]
    if type(loss) not in (losses.LossFunctionWrapper, losses.SparseCategoricalCrossentropy):
        return None
    if getattr(loss, "fn", None) is not probabilistic.sparse_categorical_crossentropy:
        return None
    config = loss.get_config()
    if loss.reduction != "sum_over_batch_size" or config.get("ignore_class") is not None \
            or config.get("axis", -1) != -1 or compiled.weights != [1.0]:
        return None
    if str(getattr(loss, "_dtype", torch.float32)) not in ("torch.float32",):
        return None
    defaults = {"ignore_class": None, "axis": -1}
    extra = {k: v for k, v in getattr(loss, "_fn_kwargs", {}).items()
             if k != "from_logits" and defaults.get(k, object()) != v}
    if extra:
        return None
    return bool(config.get("from_logits", getattr(loss, "_fn_kwargs", {}).get("from_logits", False)))


def _plain_optimizer(optimizer) -> bool:
    """The base class' loss scaling (a LossScaleOptimizer's dynamic scale is not written out)."""
    from lamina.optimizers.base import Optimizer

    return optimizer is not None and type(optimizer).scale_loss is Optimizer.scale_loss


def _step_is_plain(model) -> bool:
    return not model._forward_hooks and not model._forward_pre_hooks
