"""keras.visualization.plot_image_gallery: grid, titles, value ranges, saving and errors."""
import numpy as np
import pytest

pyplot = pytest.importorskip("matplotlib.pyplot")

import lamina as keras  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    pyplot.close("all")


def test_grid_titles_and_pixels():
    images = np.linspace(0, 1, 6 * 4 * 4 * 3).reshape(6, 4, 4, 3)
    figure = keras.visualization.plot_image_gallery(
        images, y_true=np.array([0, 1, 0, 1, 0, 1]), y_pred=[1, 1, 0, 0, 2, 1],
        label_map={0: "cat", 1: "dog"}, value_range=(0, 1), rows=2, cols=3, show=False)
    axes = figure.axes
    assert len(axes) == 6
    assert axes[0].get_title() == "Label: cat  Pred: dog"
    assert axes[4].get_title() == "Label: cat  Pred: Unknown"
    pixels = axes[5].get_images()[0].get_array()
    assert pixels.dtype == np.uint8
    np.testing.assert_array_equal(pixels, (images[5] * 255).astype("uint8"))


def test_default_grid_channels_first_and_grayscale():
    figure = keras.visualization.plot_image_gallery(np.zeros((4, 1, 5, 5)), show=False,
                                                    data_format="channels_first")
    assert len(figure.axes) == 4
    assert figure.axes[0].get_images()[0].get_array().shape == (5, 5)


def test_saves_to_path(tmp_path):
    path = tmp_path / "gallery.png"
    result = keras.visualization.plot_image_gallery(np.zeros((2, 4, 4, 3)), path=str(path))
    assert result is None and path.stat().st_size > 0


@pytest.mark.parametrize("arguments, match", [
    ({"path": "x.png", "show": True}, "expects either `path` to be set, or `show`"),
    ({"y_true": [0, 1]}, "a `label_map` must also be provided"),
])
def test_argument_errors(arguments, match):
    with pytest.raises(ValueError, match=match):
        keras.visualization.plot_image_gallery(np.zeros((2, 4, 4, 3)), **arguments)


def test_refuses_an_unbatched_image():
    with pytest.raises(ValueError, match="requires you to batch"):
        keras.visualization.plot_image_gallery(np.zeros((4, 4, 3)), show=False)
