"""keras.visualization: plot_image_gallery (grid, titles, value ranges, saving, errors),
draw_segmentation_masks against Keras 3.15 (tests/fixtures/visualization/
segmentation_reference.npz, made by make_segmentation_reference.py) and
plot_segmentation_mask_gallery."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

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


SEGMENTATION = np.load(Path(__file__).parents[1] / "fixtures" / "visualization"
                       / "segmentation_reference.npz")
SEGMENTATION_CASES = json.loads(str(SEGMENTATION["cases"]))


@pytest.mark.parametrize("case", SEGMENTATION_CASES, ids=[c["name"] for c in SEGMENTATION_CASES])
def test_draw_segmentation_masks_matches_keras(case):
    arguments = dict(case["arguments"])
    if "color_mapping" in arguments:
        arguments["color_mapping"] = {int(k): v for k, v in arguments["color_mapping"].items()}
    output = keras.visualization.draw_segmentation_masks(
        torch.from_numpy(SEGMENTATION["images"]), SEGMENTATION["masks"], **arguments)
    expected = SEGMENTATION[f"{case['name']}/output"]
    assert output.dtype == expected.dtype
    np.testing.assert_array_equal(output, expected)


def test_draw_segmentation_masks_channels_first_and_errors():
    images, masks = SEGMENTATION["images"], SEGMENTATION["masks"]
    np.testing.assert_array_equal(
        keras.visualization.draw_segmentation_masks(images.transpose(0, 3, 1, 2),
                                                    masks.transpose(0, 3, 1, 2),
                                                    data_format="channels_first"),
        SEGMENTATION["default/output"])
    with pytest.raises(TypeError, match="must be in integer dtype. Received: "
                                        "segmentation_masks.dtype=float32"):
        keras.visualization.draw_segmentation_masks(images, masks.astype("float32"))
    with pytest.raises(ValueError, match="must be batched 4D tensor"):
        keras.visualization.draw_segmentation_masks(images[0], masks[0])


def test_segmentation_gallery_rows_hold_image_truth_and_prediction():
    images, masks = SEGMENTATION["images"], SEGMENTATION["masks"]
    figure = keras.visualization.plot_segmentation_mask_gallery(
        images, num_classes=4, y_true=masks, y_pred=masks, show=False)
    axes = figure.axes
    assert len(axes) == 6
    np.testing.assert_array_equal(axes[0].get_images()[0].get_array(), images[0].astype("uint8"))
    drawn = keras.visualization.draw_segmentation_masks(images, masks, num_classes=4)
    np.testing.assert_array_equal(axes[4].get_images()[0].get_array(), drawn[1])
