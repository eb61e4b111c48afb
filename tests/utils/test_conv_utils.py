"""conv_utils: the one convolution kernel call behind the conv layers and `keras.ops`."""
import itertools

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import ops
from lamina.ops import nn_functions
from lamina.utils import conv_utils

_RNG = np.random.default_rng(7)


def test_layers_and_ops_call_the_one_shared_convolution():
    from lamina.layers.convolutional import base_conv, base_conv_transpose, base_depthwise_conv
    assert conv_utils.convolve.__module__ == "lamina.utils.conv_utils"
    for module in (base_conv, base_depthwise_conv, nn_functions):
        assert module.convolve is conv_utils.convolve
    for module in (base_conv_transpose, nn_functions):
        assert module.convolve_transpose is conv_utils.convolve_transpose
    assert not hasattr(nn_functions, "_tuple") and not hasattr(nn_functions, "_check_padding")


@pytest.mark.parametrize("call", [
    lambda x: ops.conv(x, torch.ones(3, 3, 2, 4), strides=0),
    lambda x: ops.conv_transpose(x, torch.ones(3, 3, 4, 2), strides=(2, 2, 2)),
    lambda x: ops.max_pool(x, pool_size=(2, 0)),
])
def test_ops_check_tuples_as_the_layers_do(call):
    with pytest.raises(ValueError, match=r"must be a tuple of 2 integers"):
        call(torch.ones(1, 6, 6, 2))


def test_ops_check_padding_as_the_layers_do():
    with pytest.raises(ValueError) as from_ops:
        ops.conv(torch.ones(1, 6, 6, 2), torch.ones(3, 3, 2, 4), padding="causal")
    with pytest.raises(ValueError) as from_layer:
        keras.layers.Conv2D(4, 3, padding="causal")
    assert str(from_ops.value) == str(from_layer.value)
    assert ops.conv(torch.ones(1, 6, 6, 2), torch.ones(3, 3, 2, 4), padding="Same").shape == (
        1, 6, 6, 4)


@pytest.mark.parametrize("kernel,strides,padding,output_padding,dilation",
                         [c for c in itertools.product([2, 3], [1, 2], ["valid", "same"],
                                                       [None, 0, 1], [1, 2])
                          if (c[3] is None or c[3] < c[1]) and not (c[1] > 1 and c[4] > 1)])
def test_ops_conv_transpose_equals_the_layer(kernel, strides, padding, output_padding, dilation):
    x = torch.as_tensor(_RNG.normal(size=(2, 5, 4, 3)), dtype=torch.float32)
    layer = keras.layers.Conv2DTranspose(2, kernel, strides, padding, output_padding=output_padding,
                                         dilation_rate=dilation, use_bias=False)
    want = layer(x).detach()
    got = ops.conv_transpose(x, layer.kernel.detach(), strides, padding, output_padding,
                             dilation_rate=dilation)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want)


@pytest.mark.parametrize("rank, strides, data_format", [
    (1, (2,), "channels_last"), (2, (2, 3), "channels_last"), (2, (2, 2), "channels_first"),
    (3, (1, 2, 2), "channels_last")])
def test_a_strided_1x1_convolution_is_the_convolution_read_every_stride_cells(rank, strides,
                                                                              data_format):
    spatial = (7, 9, 5)[:rank]
    shape = (2, *spatial, 3) if data_format == "channels_last" else (2, 3, *spatial)
    x = torch.as_tensor(_RNG.normal(size=shape))
    weight = torch.as_tensor(_RNG.normal(size=(4, 3) + (1,) * rank))
    out = conv_utils.convolve(x, weight, None, strides=strides, padding="same",
                              dilation_rate=(1,) * rank, groups=1, data_format=data_format)
    channels_first = x.movedim(-1, 1) if data_format == "channels_last" else x
    conv = (torch.nn.functional.conv1d, torch.nn.functional.conv2d,
            torch.nn.functional.conv3d)[rank - 1]
    want = conv(channels_first.contiguous(), weight, None, strides)
    if data_format == "channels_last":
        want = want.movedim(1, -1)
    assert out.shape == want.shape
    torch.testing.assert_close(out, want, rtol=1e-12, atol=1e-12)


def test_a_strided_1x1_convolution_trains_with_one_thread():
    # torch 2.13's CPU kernel for this case corrupts the heap in its backward with one
    # intra-op thread (channels_last input, as a ResNet shortcut gets it); the process aborts.
    import subprocess
    import sys

    program = ("import torch, lamina as keras\n"
               "torch.set_num_threads(1)\n"
               "layer = keras.layers.Conv2D(4, 1, strides=2)\n"
               "for _ in range(300):\n"
               "    x = torch.randn(8, 8, 8, 3, requires_grad=True)\n"
               "    layer(x).sum().backward()\n"
               "print('trained')\n")
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         timeout=120)
    assert (run.returncode, run.stdout.strip()) == (0, "trained"), run.stderr[-2000:]
