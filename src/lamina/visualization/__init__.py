"""Keras' `keras.visualization`: galleries of images with their labels, segmentation masks
drawn over images.

Example:
    >>> import lamina as keras
    >>> callable(keras.visualization.plot_image_gallery)
    True
"""
from lamina.visualization.draw_segmentation_masks import draw_segmentation_masks
from lamina.visualization.plot_image_gallery import plot_image_gallery
from lamina.visualization.plot_segmentation_mask_gallery import plot_segmentation_mask_gallery

__all__ = ["plot_image_gallery", "draw_segmentation_masks", "plot_segmentation_mask_gallery"]
