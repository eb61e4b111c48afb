"""show_predictions, confusion_matrix and plot_confusion_matrix; the datasets' CLASS_NAMES."""
import matplotlib
import numpy as np
import pytest
from PIL import Image
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

import lamina
from lamina import layers
from lamina.utils import confusion_matrix, plot_confusion_matrix, show_predictions


def _assert_real_picture(path, min_side=100):
    image = np.asarray(Image.open(path).convert("RGB"))
    assert path.stat().st_size > 1000
    assert min(image.shape[:2]) >= min_side
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 10  # not one flat colour


def test_class_names_follow_keras_documented_order():
    assert lamina.datasets.fashion_mnist.CLASS_NAMES == (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
        "Bag", "Ankle boot")
    assert lamina.datasets.cifar10.CLASS_NAMES == (
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


# ---------------------------------------------------------------------- confusion_matrix
def test_counts_equal_scikit_learns_for_labels_probabilities_one_hot_and_floats():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 10, 500)
    probabilities = rng.random((500, 10))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    expected = sklearn_confusion_matrix(y_true, probabilities.argmax(axis=1), labels=range(10))
    assert confusion_matrix(y_true, probabilities).dtype == np.int64
    np.testing.assert_array_equal(confusion_matrix(y_true, probabilities), expected)
    np.testing.assert_array_equal(
        confusion_matrix(lamina.utils.to_categorical(y_true, 10), probabilities.argmax(axis=1)),
        expected)
    np.testing.assert_array_equal(
        confusion_matrix(y_true.astype("float32").reshape(-1, 1), probabilities), expected)


def test_one_sigmoid_column_is_read_as_class_1_above_one_half():
    y_true = np.array([0, 0, 1, 1, 1])
    scores = np.array([[0.1], [0.7], [0.9], [0.4], [0.51]], dtype="float32")
    np.testing.assert_array_equal(confusion_matrix(y_true, scores),
                                  sklearn_confusion_matrix(y_true, [0, 1, 1, 0, 1]))


def test_num_classes_pads_missing_classes_and_refuses_too_few():
    np.testing.assert_array_equal(confusion_matrix([0, 1], [1, 1], num_classes=3),
                                  [[0, 1, 0], [0, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match=r"`num_classes` is 2, but the labels or predictions hold "
                                         r"class 4: pass num_classes=5 or more"):
        confusion_matrix([0, 4], [1, 1], num_classes=2)


def test_sample_counts_must_agree():
    with pytest.raises(ValueError, match=r"same number of samples. Received: 3 labels and 2 "
                                         r"predictions"):
        confusion_matrix([0, 1, 1], [0, 1])


def test_non_labels_are_refused_with_what_was_received():
    with pytest.raises(ValueError, match=r"neither class labels nor probabilities. Received "
                                         r"values from 0.5 to 2.5"):
        confusion_matrix([0, 1], [0.5, 2.5])
    with pytest.raises(ValueError, match="diverged"):
        confusion_matrix([0, 1], [[np.nan, 0.1], [0.2, 0.8]])


# ---------------------------------------------------------------------- the plot
def test_plot_shows_counts_with_labelled_axes(tmp_path):
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 2, 0]
    figure = plot_confusion_matrix(y_true, y_pred, class_names=["cat", "dog", "bird"],
                                   path=tmp_path / "cm.png")
    axis = figure.axes[0]
    assert (axis.get_xlabel(), axis.get_ylabel()) == ("Predicted label", "True label")
    assert [t.get_text() for t in axis.get_xticklabels()] == ["cat", "dog", "bird"]
    assert [t.get_text() for t in axis.get_yticklabels()] == ["cat", "dog", "bird"]
    cells = [t.get_text() for t in axis.texts]
    assert cells == [str(v) for v in sklearn_confusion_matrix(y_true, y_pred).reshape(-1)]
    assert axis.get_title() == "Confusion matrix (6 samples, accuracy 66.7%)"
    _assert_real_picture(tmp_path / "cm.png")


@pytest.mark.parametrize("normalize", ["true", "pred", "all"])
def test_normalized_cells_equal_scikit_learns(normalize):
    y_true = [0, 0, 1, 2, 2, 2, 1]
    y_pred = [0, 1, 1, 2, 2, 0, 1]
    figure = plot_confusion_matrix(y_true, y_pred, normalize=normalize)
    expected = sklearn_confusion_matrix(y_true, y_pred, normalize=normalize)
    assert [t.get_text() for t in figure.axes[0].texts] == [f"{v:.2f}" for v in expected.reshape(-1)]


def test_normalize_must_be_a_known_choice():
    with pytest.raises(ValueError, match=r"`normalize` must be one of \[None, 'true', 'pred', "
                                         r"'all'\].*Received: normalize='rows'"):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows")


def test_too_few_class_names_are_refused():
    with pytest.raises(ValueError, match="`class_names` has 2 names, but the labels or predictions "
                                         "hold 3 classes"):
        plot_confusion_matrix([0, 1, 2], [0, 1, 2], class_names=["a", "b"])


# ---------------------------------------------------------------------- show_predictions
def _pixel_classifier():
    """Predicts the class whose pixel (0, 1 or 2 of a 2x2 image) is brightest."""
    model = lamina.Sequential([lamina.Input((2, 2)), layers.Flatten(),
                               layers.Dense(3, activation="softmax")])
    kernel = np.zeros((4, 3), "float32")
    kernel[[0, 1, 2], [0, 1, 2]] = 5.0
    model.layers[-1].set_weights([kernel, np.zeros(3, "float32")])
    return model


def _images(classes):
    images = np.zeros((len(classes), 2, 2), "float32")
    for index, label in enumerate(classes):
        images[index].flat[label] = 1.0
    return images


def test_wrong_predictions_are_red_and_name_the_true_class(tmp_path):
    names = ["cat", "dog", "bird"]
    x = _images([0, 1, 2, 1, 0])
    y = np.array([0, 1, 0, 1, 2])  # samples 2 and 4 are labelled otherwise than they look
    figure = show_predictions(_pixel_classifier(), x, y, class_names=names, n=5,
                              path=tmp_path / "predictions.png")
    titles = [axis.title for axis in figure.axes]
    confidence = np.exp(5) / (np.exp(5) + 2)
    assert [t.get_text() for t in titles] == [
        f"cat {confidence:.0%}", f"dog {confidence:.0%}", f"bird {confidence:.0%}\ntrue: cat",
        f"dog {confidence:.0%}", f"cat {confidence:.0%}\ntrue: bird"]
    colours = [matplotlib.colors.to_hex(t.get_color()) for t in titles]
    assert colours == ["#000000", "#000000", "#ff0000", "#000000", "#ff0000"]
    assert figure.wrong == [2, 4]
    assert (tmp_path / "predictions.png").stat().st_size > 0


def test_flattened_images_and_one_hot_labels_are_shown_as_squares():
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="softmax")])
    kernel = np.zeros((4, 3), "float32")
    kernel[[0, 1, 2], [0, 1, 2]] = 5.0
    model.layers[-1].set_weights([kernel, np.zeros(3, "float32")])
    x = _images([2, 1]).reshape(2, 4)
    figure = show_predictions(model, x, lamina.utils.to_categorical([2, 0], 3))
    assert [a.images[0].get_array().shape for a in figure.axes] == [(2, 2), (2, 2)]
    assert [t.title.get_text().splitlines()[-1] for t in figure.axes] == [f"2 {np.exp(5) / (np.exp(5) + 2):.0%}", "true: 0"]


def test_a_real_grid_picture(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((9, 2, 2)).astype("float32")
    show_predictions(_pixel_classifier(), x, rng.integers(0, 3, 9), path=tmp_path / "grid.png")
    _assert_real_picture(tmp_path / "grid.png")


def test_too_few_labels_and_a_bad_n_are_refused():
    with pytest.raises(ValueError, match="a label per image: 3 images are shown but y has 2"):
        show_predictions(_pixel_classifier(), _images([0, 1, 2]), [0, 1])
    with pytest.raises(ValueError, match=r"`n` must be a positive integer.*Received: n=0"):
        show_predictions(_pixel_classifier(), _images([0]), [0], n=0)
