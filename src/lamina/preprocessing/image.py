"""`keras.preprocessing.image`: the image helpers of `lamina.utils`, where TF-2 books import them.

`from tensorflow.keras.preprocessing.image import load_img, img_to_array` reads
`from lamina.preprocessing.image import load_img, img_to_array` with `import lamina as keras`.

Example:
    >>> img_to_array(array_to_img(np.zeros((2, 3, 1)), scale=False)).shape
    (2, 3, 1)
"""
from lamina.utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]
