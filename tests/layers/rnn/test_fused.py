"""run_fused: torch's kernels with Keras masking by moving the valid steps to the front."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.layers.rnn.fused import FusedKernel, final_carry_available, run_fused, valid_steps_first


def _layer_and_kernel(cls, units=4):
    layer = cls(units, return_sequences=True, unroll=True)
    layer.build((None, 9, 3))
    return layer, layer.cell.fused_kernel(training=False)


def _masks():
    mask = torch.ones(5, 9, dtype=torch.bool)
    mask[0, 6:] = False           # right padding
    mask[1, :4] = False           # left padding (pad_sequences' default)
    mask[2, [1, 2, 5, 8]] = False  # holes
    mask[3] = False               # nothing valid: the initial state throughout
    return mask


@pytest.mark.parametrize("cls", [layers.GRU, layers.SimpleRNN, layers.LSTM])
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_any_mask_matches_the_step_loop(cls, zero_output_for_mask):
    layer, kernel = _layer_and_kernel(cls)
    layer.zero_output_for_mask = zero_output_for_mask
    x, mask = torch.randn(5, 9, 3), _masks()
    states = [torch.randn(5, 4) for _ in layer.cell.get_initial_state(5)]
    last, outputs, final = run_fused(kernel, x, states, mask, zero_output_for_mask)
    loop_last, loop_outputs, loop_final = layer._step_loop(x, states, mask, training=False)
    np.testing.assert_allclose(outputs.detach().numpy(), loop_outputs.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last.detach().numpy(), loop_last.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final[0].detach().numpy(), loop_final[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outputs[3].detach().numpy(),
                               np.zeros((9, 4)) if zero_output_for_mask else np.tile(states[0][3], (9, 1)),
                               atol=1e-7)


def test_an_lstm_carry_under_a_mask_is_left_to_the_loop():
    _, kernel = _layer_and_kernel(layers.LSTM)
    _, _, final = run_fused(kernel, torch.randn(5, 9, 3), [torch.zeros(5, 4)] * 2, _masks())
    assert final[1] is None
    assert not final_carry_available(kernel, _masks()) and final_carry_available(kernel, None)


def test_masked_gradients_match_the_loop():
    layer, kernel = _layer_and_kernel(layers.LSTM)
    mask, x = _masks(), torch.randn(5, 9, 3, requires_grad=True)
    states = [torch.zeros(5, 4), torch.zeros(5, 4)]
    run_fused(kernel, x, states, mask)[1].square().sum().backward()
    fused_grads = [x.grad.clone()] + [w.grad.clone() for w in layer.trainable_weights]
    x.grad = None
    layer.zero_grad()
    layer._step_loop(x, states, mask, training=False)[1].square().sum().backward()
    for fused, loop in zip(fused_grads, [x.grad] + [w.grad for w in layer.trainable_weights]):
        np.testing.assert_allclose(fused.numpy(), loop.numpy(), rtol=1e-4, atol=1e-6)


def test_kernel_weights_are_views_of_the_keras_weights():
    """Gradients reach Keras' kernel through the layout conversion."""
    layer, kernel = _layer_and_kernel(layers.GRU)
    assert isinstance(kernel, FusedKernel) and kernel.mode == "gru" and kernel.has_biases
    assert [tuple(w.shape) for w in kernel.weights] == [(12, 3), (12, 4), (12,), (12,)]
    sum(w.sum() for w in kernel.weights).backward()
    assert torch.equal(layer.cell.kernel.grad, torch.ones(3, 12))


def test_valid_steps_first_is_the_stable_argsort_of_the_mask():
    generator = torch.Generator().manual_seed(5)
    masks = [_masks(), torch.rand(64, 17, generator=generator) > 0.5,
             torch.zeros(3, 4, dtype=torch.bool), torch.ones(3, 4, dtype=torch.bool)]
    for mask in masks:
        expected = torch.argsort((~mask).to(torch.uint8), dim=1, stable=True)
        assert torch.equal(valid_steps_first(mask), expected)
