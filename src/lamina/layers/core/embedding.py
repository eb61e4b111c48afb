"""Embedding: turns token indices into dense vectors, rows of the `embeddings` matrix.

Index checks cost nothing on the normal path: torch's CPU lookup already bounds-checks every
index, and its IndexError is translated into a message naming the layer, the offending index
and the fix. On CUDA the kernel asserts on the device instead (never a silent out-of-range
read); lamina adds no check there, since one would read the indices back to the host at every
step. Float inputs holding whole numbers (ids stored as floats) are cast, as Keras does;
fractional ones are refused on CPU, where the check is a cheap pass without a device sync.

Example:
    >>> layer = Embedding(1000, 64, mask_zero=True)
    >>> out = layer(torch.tensor([[4, 20, 0]]))
    >>> out.shape, out._keras_mask.tolist()
    (torch.Size([1, 3, 64]), [[True, True, False]])
"""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, ops, regularizers
from lamina.layers.layer import Layer
from lamina.utils.errors import user_stacklevel

__all__ = ["Embedding"]


class Embedding(Layer):
    """Maps each integer index in `[0, input_dim)` to a trainable vector of size `output_dim`.

    Args:
        input_dim: size of the vocabulary (largest index + 1).
        output_dim: size of each embedding vector.
        embeddings_initializer: default 'uniform' (RandomUniform(-0.05, 0.05)).
        embeddings_regularizer, embeddings_constraint: penalty and constraint on the matrix.
        mask_zero: treat index 0 as padding: the output carries a mask `inputs != 0` that
            RNNs, pooling and losses honour (then index 0 cannot be a real token).
        weights: an initial `(input_dim, output_dim)` matrix (TF-2 books pass pretrained
            vectors this way).
        input_length: accepted for TF-2 code: the sequence length, as `input_shape=(input_length,)`.

    Example:
        >>> lamina.Sequential([lamina.Input((200,)), Embedding(10000, 16)]).count_params()
        160000
    """

    _accepts_integer_inputs = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        if input_length is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.",
                          stacklevel=user_stacklevel())
        super().__init__(**kwargs)
        if input_length is not None and self._batch_input_shape is None:
            # Still the sequence length here: a TF-2 book's Sequential builds and summarizes.
            self._batch_input_shape = (None, input_length)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r} "
                                 f"(of type {type(value).__name__}).")
        if lora_rank is not None or quantization_config is not None:
            raise ValueError(f"Layer '{self.name}': LoRA and quantization (lora_rank, "
                             f"quantization_config) are not supported by lamina yet.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False
        self.embeddings = None
        if weights is not None:
            self.build_from_shape(self._batch_input_shape)
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1 else [weights])

    def build(self, input_shape=None) -> None:
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        indices = self._indices(inputs)
        try:
            return F.embedding(indices, self.embeddings)
        except IndexError:
            raise IndexError(self._out_of_range_message(indices)) from None

    def check_index_range(self, indices: torch.Tensor) -> None:
        """Raises IndexError, naming the fix, when `indices` leave [0, input_dim).

        One host read. fit/evaluate/predict run it on the data that feeds this layer: on an
        accelerator the lookup itself would stop the process with a device-side assert.
        """
        if indices.numel() == 0 or indices.is_complex():
            return
        low, high = torch.stack(list(torch.aminmax(indices))).tolist()
        if low < 0 or high >= self.input_dim:
            raise IndexError(self._out_of_range_message(indices))

    def _indices(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dtype in (torch.int64, torch.int32):
            return inputs
        if inputs.is_complex():
            raise TypeError(f"Layer '{self.name}' (Embedding) expects integer token indices, but "
                            f"received inputs of dtype {inputs.dtype}.")
        # The check reads values, which a traced graph (torch.export, ONNX) cannot do.
        if (inputs.is_floating_point() and inputs.device.type == "cpu"
                and not torch.compiler.is_compiling()):
            fractional = inputs != inputs.trunc()
            if bool(fractional.any()):
                example = float(inputs[fractional][0])
                dtype = str(inputs.dtype).removeprefix("torch.")
                raise TypeError(
                    f"Layer '{self.name}' (Embedding) expects integer token indices in "
                    f"[0, {self.input_dim - 1}], but received {dtype} "
                    f"inputs with non-integer values (e.g. {example}). An Embedding looks rows up "
                    f"by index: feed token ids (integers from TextVectorization, a Tokenizer or "
                    f"pad_sequences); for real-valued features use Dense instead.")
        return inputs.long()

    def _out_of_range_message(self, indices: torch.Tensor) -> str:
        low, high = int(indices.min()), int(indices.max())  # floats name their whole part
        bad = low if low < 0 else high
        fix = ("negative values are not token ids (padding uses index 0)" if bad < 0 else
               f"set `input_dim` to the vocabulary size, the largest index + 1 (at least "
               f"{high + 1} for these inputs)")
        return (f"Layer '{self.name}' (Embedding with input_dim={self.input_dim}) received token "
                f"index {bad}, but indices must be in [0, {self.input_dim - 1}]: {fix}.")

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)  # on Keras tensors, Keras' `not_equal` graph node

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                "mask_zero": self.mask_zero, "quantization_config": None}
