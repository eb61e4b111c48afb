"""DropoutRNNCell: one mask per sequence, per gate where Keras uses several, seeded."""
import numpy as np
import torch

from lamina import layers


def test_mask_is_drawn_once_per_sequence_and_reset_after():
    cell = layers.GRUCell(3, dropout=0.25, seed=5)
    step = torch.ones(4, 6)
    mask = cell.get_dropout_mask(step)
    assert cell.get_dropout_mask(step) is mask
    np.testing.assert_allclose(np.unique(mask.numpy()), [0.0, 1 / 0.75], rtol=1e-6)
    cell.reset_dropout_mask()
    assert cell.get_dropout_mask(step) is not mask


def test_recurrent_dropout_gives_one_mask_per_gate():
    cell = layers.LSTMCell(3, recurrent_dropout=0.5, seed=1)
    masks = cell.get_recurrent_dropout_mask(torch.ones(2, 3))
    assert len(masks) == 4 and not all(torch.equal(masks[0], m) for m in masks[1:])
    assert layers.LSTMCell(3).get_recurrent_dropout_mask(torch.ones(2, 3)) is None


def test_seeded_masks_repeat_and_the_rnn_resets_them():
    first, second = (layers.SimpleRNNCell(3, dropout=0.5, seed=9) for _ in range(2))
    np.testing.assert_array_equal(first.get_dropout_mask(torch.ones(2, 8)).numpy(),
                                  second.get_dropout_mask(torch.ones(2, 8)).numpy())
    layer = layers.RNN(layers.SimpleRNNCell(3, dropout=0.5, seed=9))
    layer(torch.ones(2, 4, 8), training=True)
    assert layer.cell._dropout_mask is None  # a new sequence draws a new mask
