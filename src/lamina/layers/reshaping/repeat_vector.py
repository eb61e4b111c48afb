"""RepeatVector: repeats each input vector `n` times, (batch, features) -> (batch, n, features)."""
from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["RepeatVector"]


class RepeatVector(Layer):
    """Repeats the input `n` times along a new axis 1 (e.g. to feed an encoding to a decoder RNN).

    Args:
        n: the number of repetitions, a positive integer.

    Example:
        >>> RepeatVector(3)(torch.tensor([[1.0, 2.0]]))
        tensor([[[1., 2.],
                 [1., 2.],
                 [1., 2.]]])
    """

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n).__name__} "
                            f"(n={n!r}).")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        # `expand` is a view (stride 0 on the new axis): the repeats cost no memory.
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
