"""RandomGaussianBlur, RandomElasticTransform, AugMix and CLAHE: seeded, fresh draws each call,
identity at inference (CLAHE excepted, as in Keras), shapes, dtypes and ranges kept, numpy
batches, single images, channels_first, fitted and saved models. Keras' numbers for the
deterministic cases are in test_image_layers_reference.py."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers
from lamina.testing import run_layer_test

RANDOM_LAYERS = [
    (layers.RandomGaussianBlur, {"factor": 0.8, "sigma": (0.2, 1.0), "seed": 1}),
    (layers.RandomGaussianBlur, {"kernel_size": (3, 5), "seed": 2}),
    (layers.RandomElasticTransform, {"seed": 1}),
    (layers.RandomElasticTransform, {"factor": (0.5, 1.0), "scale": (0.6, 1.0),
                                     "fill_mode": "constant", "fill_value": 9.0, "seed": 2}),
    (layers.AugMix, {"seed": 1}),
    (layers.AugMix, {"num_chains": 2, "chain_depth": 2, "factor": (0.2, 0.5), "alpha": 0.5,
                     "all_ops": False, "seed": 2}),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(RANDOM_LAYERS)]


def _images(batch=8, height=12, width=10, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, height, width, 3, generator=generator) * 255


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_run_layer_test(cls, config):
    run_layer_test(cls, config, input_data=_images(4).numpy(), expected_output_shape=(4, 12, 10, 3),
                   expected_num_trainable_weights=0, training_differs=True)


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_seeded_fresh_each_call_identity_in_inference(cls, config):
    images = _images()
    layer = cls(**config)
    assert torch.equal(layer(images, training=False), images)
    first, second = layer(images, training=True), layer(images, training=True)
    assert first.shape == images.shape and first.dtype == torch.float32
    assert not torch.equal(first, second)
    assert not torch.equal(first, images)
    torch.testing.assert_close(cls(**config)(images, training=True), first)
    assert float(first.min()) >= 0.0 and float(first.max()) <= 255.0


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_numpy_batches_single_images_and_channels_first(cls, config):
    images = _images()
    layer = cls(**config)
    from_numpy = layer(images.numpy())
    assert isinstance(from_numpy, torch.Tensor) and tuple(from_numpy.shape) == (8, 12, 10, 3)
    assert tuple(layer(images[0].numpy()).shape) == (12, 10, 3)
    first = cls(**config, data_format="channels_first")
    assert tuple(first(images.permute(0, 3, 1, 2), training=True).shape) == (8, 3, 12, 10)


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_config_round_trips(cls, config):
    layer = cls(**config)
    again = cls.from_config(layer.get_config())
    assert again.get_config() == {**layer.get_config(), "name": again.name}
    images = _images()
    torch.testing.assert_close(again(images), cls(**config)(images))


def test_gaussian_blur_probability_picks_whole_images():
    images = _images(200, 6, 6)
    out = layers.RandomGaussianBlur(factor=(0.5, 0.5), sigma=(1.0, 1.0), seed=0)(images)
    kept = (out == images).flatten(1).all(1)
    assert 60 < int(kept.sum()) < 140
    blurred = keras.ops.image.gaussian_blur(images[~kept], (3, 3), (1.0 + 1e-6, 1.0 + 1e-6))
    torch.testing.assert_close(out[~kept], blurred.clamp(0, 255))


def test_elastic_transform_deforms_each_image_differently_and_keeps_constants():
    images = _images(2, 16, 16)
    out = layers.RandomElasticTransform(seed=0)(torch.cat([images[:1], images[:1]]))
    assert not torch.allclose(out[0], out[1])
    flat = torch.full((2, 16, 16, 3), 42.0)
    torch.testing.assert_close(layers.RandomElasticTransform(seed=0)(flat), flat)


def test_elastic_transform_nearest_moves_whole_pixels():
    images = _images(2, 64, 64)
    out = layers.RandomElasticTransform(interpolation="nearest", seed=1)(images)
    assert not torch.equal(out, images)
    assert bool(torch.isin(out, images).all())


def test_aug_mix_with_no_depth_keeps_the_images():
    images = _images()
    out = layers.AugMix(chain_depth=0, seed=0)(images)
    torch.testing.assert_close(out, images, rtol=1e-5, atol=1e-3)


def test_clahe_applies_in_inference_and_on_numpy_and_single_images():
    images = torch.randint(0, 256, (2, 16, 16, 3)).float()
    layer = layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))
    out = layer(images, training=False)
    assert out.shape == images.shape and not torch.equal(out, images)
    torch.testing.assert_close(layer(images.numpy()), out)
    torch.testing.assert_close(layer(images[0]), out[0])
    assert float(out.min()) >= 0.0 and float(out.max()) <= 255.0


@pytest.mark.parametrize("make, error, message", [
    (lambda: layers.RandomGaussianBlur(kernel_size=4), ValueError,
     "kernel_size must be an odd number. Received: kernel_size=4"),
    (lambda: layers.RandomGaussianBlur(kernel_size=(3, 3, 3)), ValueError,
     "Received: kernel_size=(3, 3, 3)"),
    (lambda: layers.RandomGaussianBlur(factor=1.5), ValueError, "factor=1.5"),
    (lambda: layers.RandomGaussianBlur(sigma=2.0), ValueError, "sigma=2.0"),
    (lambda: layers.RandomElasticTransform(scale=-0.5), ValueError, "scale=-0.5"),
    (lambda: layers.RandomElasticTransform(interpolation="bicubic"), NotImplementedError,
     "Unknown `interpolation` bicubic"),
    (lambda: layers.RandomElasticTransform(fill_mode="edge"), NotImplementedError,
     "Unknown `fill_mode` edge"),
    (lambda: layers.AugMix(factor=2.0), ValueError, "factor=2.0"),
    (lambda: layers.AugMix(interpolation="bicubic"), NotImplementedError, "bicubic"),
])
def test_arguments_are_checked_with_keras_messages(make, error, message):
    with pytest.raises(error) as caught:
        make()
    assert message in str(caught.value)


def test_model_with_the_layers_fits_saves_and_loads(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((12, 10, 3)), layers.RandomGaussianBlur(seed=1),
        layers.RandomElasticTransform(seed=2), layers.AugMix(seed=3),
        layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2)),
        layers.Rescaling(1 / 255.0), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    images = _images(8).numpy()
    history = model.fit(images, np.zeros((8, 2)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model.save(tmp_path / "augmented.keras")
    again = keras.saving.load_model(tmp_path / "augmented.keras")
    assert [type(layer).__name__ for layer in again.layers] == [
        "RandomGaussianBlur", "RandomElasticTransform", "AugMix",
        "ContrastLimitedAdaptiveHistogramEqualization", "Rescaling", "Flatten", "Dense"]
    np.testing.assert_allclose(again.predict(images, verbose=0), model.predict(images, verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_spectrogram_layers_save_and_load(tmp_path):
    signals = np.random.default_rng(0).normal(size=(2, 1024)).astype("float32")
    inputs = keras.Input((1024,))
    mel = layers.MelSpectrogram(fft_length=256, sequence_stride=128, num_mel_bins=16)(inputs)
    stft = layers.STFTSpectrogram(frame_length=32, frame_step=16, mode="magnitude")(
        keras.layers.Reshape((1024, 1))(inputs))
    model = keras.Model(inputs, [mel, stft])
    model.save(tmp_path / "spectrograms.keras")
    again = keras.saving.load_model(tmp_path / "spectrograms.keras")
    for ours, theirs in zip(again.predict(signals, verbose=0), model.predict(signals, verbose=0)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
