"""ConvLSTM3D: a 3-D convolutional LSTM over sequences of frames."""
from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM

__all__ = ["ConvLSTM3D"]


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: the input and recurrent transformations are convolutions.

    Args:
        filters: number of output channels of each state.
        kernel_size, strides, padding, data_format, dilation_rate: of the input convolution
            (the recurrent one has stride 1 and 'same' padding), as in Conv3D.
        activation, recurrent_activation, use_bias, initializers, unit_forget_bias,
        regularizers, constraints, dropout, recurrent_dropout, seed: as in `LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in `RNN`.

    Example:
        >>> ConvLSTM3D(2, 3)(torch.ones(1, 4, 5, 5, 5, 1)).shape
        torch.Size([1, 3, 3, 3, 2])
    """

    def __init__(self, filters, kernel_size, *args, **kwargs):
        # Keras' argument order after kernel_size (strides, padding, ...) is ConvLSTM's.
        super().__init__(3, filters, kernel_size, *args, **kwargs)
