"""Keras' utilities: one-hot labels, normalization, sequence padding and seeding.

Example:
    >>> import lamina as keras
    >>> keras.utils.to_categorical([0, 1]).shape
    (2, 2)
"""
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.rng_utils import set_random_seed
from lamina.utils.sequence_utils import pad_sequences
from lamina.utils.file_utils import get_file
from lamina.utils.py_dataset import PyDataset, Sequence
from lamina.utils.dataset_utils import split_dataset
from lamina.utils.image_dataset import image_dataset_from_directory
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from lamina.utils.text_dataset import text_dataset_from_directory
from lamina.utils.timeseries_dataset import timeseries_dataset_from_array
from lamina.utils.diagnosis import diagnose
from lamina.utils.plotting import plot_history, show_images
from lamina.utils.prediction_plots import confusion_matrix, plot_confusion_matrix, show_predictions
from lamina.utils.model_visualization import plot_model
from lamina.utils.io_utils import (disable_interactive_logging, enable_interactive_logging,
                                   is_interactive_logging_enabled)
from lamina.backend import clear_session, is_keras_tensor
from lamina.utils.config import Config
from lamina.utils.dtype_utils import standardize_dtype
from lamina.utils.model_to_dot import model_to_dot

__all__ = ["to_categorical", "normalize", "pad_sequences", "set_random_seed"]
__all__ += ["PyDataset", "Sequence"]
__all__ += ["get_file"]
__all__ += ["split_dataset", "image_dataset_from_directory", "text_dataset_from_directory",
            "timeseries_dataset_from_array", "array_to_img", "img_to_array", "load_img", "save_img"]
__all__ += ["diagnose", "plot_history", "show_images", "plot_model"]
__all__ += ["show_predictions", "confusion_matrix", "plot_confusion_matrix"]
__all__ += ["enable_interactive_logging", "disable_interactive_logging",
            "is_interactive_logging_enabled"]
__all__ += ["clear_session", "is_keras_tensor", "standardize_dtype", "model_to_dot", "Config"]

# Re-exported from packages that themselves import lamina.utils: resolved on first use, so
# importing either side first works.
_LAZY_EXPORTS = {"pack_x_y_sample_weight": "lamina.engine.data",
                 "unpack_x_y_sample_weight": "lamina.engine.data",
                 "register_keras_serializable": "lamina.saving",
                 "get_registered_object": "lamina.saving",
                 "serialize_keras_object": "lamina.saving",
                 "deserialize_keras_object": "lamina.saving",
                 "custom_object_scope": "lamina.saving",
                 "CustomObjectScope": "lamina.saving",
                 "get_custom_objects": "lamina.saving",
                 "get_registered_name": "lamina.saving",
                 "Progbar": "lamina.engine.progbar",
                 "get_source_inputs": "lamina.ops.node",
                 "FeatureSpace": "lamina.utils.feature_space"}
__all__ += list(_LAZY_EXPORTS)


def __getattr__(name):
    if name in _LAZY_EXPORTS:
        import importlib

        return getattr(importlib.import_module(_LAZY_EXPORTS[name]), name)
    raise AttributeError(f"module 'lamina.utils' has no attribute {name!r}")
