"""ConvLSTM2D: a 2-D convolutional LSTM over sequences of frames."""
from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM, ConvLSTMCell

__all__ = ["ConvLSTM2D", "ConvLSTM2DCell"]


class ConvLSTM2DCell(ConvLSTMCell):
    """The 2-D `ConvLSTMCell` (lamina's name for it, kept for code that builds the cell alone).

    Example:
        >>> cell = ConvLSTM2DCell(2, 3)
        >>> cell.build((None, 6, 6, 1))
        >>> [tuple(w.shape) for w in cell.weights]
        [(3, 3, 1, 8), (3, 3, 2, 8), (8,)]
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # Keras' argument order after kernel_size (strides, padding, ...) is ConvLSTM's.
        super().__init__(2, filters, kernel_size, *args, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: the input and recurrent transformations are convolutions.

    Args:
        filters: number of output channels of each state.
        kernel_size, strides, padding, data_format, dilation_rate: of the input convolution
            (the recurrent one has stride 1 and 'same' padding), as in Conv2D.
        activation, recurrent_activation, use_bias, initializers, unit_forget_bias,
        regularizers, constraints, dropout, recurrent_dropout, seed: as in `LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in `RNN`.

    Example:
        >>> ConvLSTM2D(2, (3, 3))(torch.ones(1, 4, 6, 6, 3)).shape
        torch.Size([1, 4, 4, 2])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # Keras' argument order after kernel_size (strides, padding, ...) is ConvLSTM's.
        super().__init__(2, filters, kernel_size, *args, **kwargs)
