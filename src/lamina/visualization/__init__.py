"""Keras' `keras.visualization`: galleries of images with their labels.

Example:
    >>> import lamina as keras
    >>> callable(keras.visualization.plot_image_gallery)
    True
"""
from lamina.visualization.plot_image_gallery import plot_image_gallery

__all__ = ["plot_image_gallery"]
