"""Keras' preprocessing layers: images, text and structured data turned into tensors."""
from lamina.layers.preprocessing.aug_mix import AugMix
from lamina.layers.preprocessing.auto_contrast import AutoContrast
from lamina.layers.preprocessing.category_encoding import CategoryEncoding
from lamina.layers.preprocessing.center_crop import CenterCrop
from lamina.layers.preprocessing.clahe import ContrastLimitedAdaptiveHistogramEqualization
from lamina.layers.preprocessing.cut_mix import CutMix
from lamina.layers.preprocessing.discretization import Discretization
from lamina.layers.preprocessing.equalization import Equalization
from lamina.layers.preprocessing.hashed_crossing import HashedCrossing
from lamina.layers.preprocessing.hashing import Hashing
from lamina.layers.preprocessing.integer_lookup import IntegerLookup
from lamina.layers.preprocessing.mel_spectrogram import MelSpectrogram
from lamina.layers.preprocessing.mix_up import MixUp
from lamina.layers.preprocessing.normalization import Normalization
from lamina.layers.preprocessing.pipeline import Pipeline
from lamina.layers.preprocessing.rand_augment import RandAugment
from lamina.layers.preprocessing.random_brightness import RandomBrightness
from lamina.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from lamina.layers.preprocessing.random_color_jitter import RandomColorJitter
from lamina.layers.preprocessing.random_contrast import RandomContrast
from lamina.layers.preprocessing.random_crop import RandomCrop
from lamina.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from lamina.layers.preprocessing.random_erasing import RandomErasing
from lamina.layers.preprocessing.random_flip import RandomFlip
from lamina.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from lamina.layers.preprocessing.random_grayscale import RandomGrayscale
from lamina.layers.preprocessing.random_hue import RandomHue
from lamina.layers.preprocessing.random_invert import RandomInvert
from lamina.layers.preprocessing.random_perspective import RandomPerspective
from lamina.layers.preprocessing.random_posterization import RandomPosterization
from lamina.layers.preprocessing.random_rotation import RandomRotation
from lamina.layers.preprocessing.random_saturation import RandomSaturation
from lamina.layers.preprocessing.random_sharpness import RandomSharpness
from lamina.layers.preprocessing.random_shear import RandomShear
from lamina.layers.preprocessing.random_translation import RandomTranslation
from lamina.layers.preprocessing.random_zoom import RandomZoom
from lamina.layers.preprocessing.rescaling import Rescaling
from lamina.layers.preprocessing.resizing import Resizing
from lamina.layers.preprocessing.solarization import Solarization
from lamina.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from lamina.layers.preprocessing.string_lookup import StringLookup
from lamina.layers.preprocessing.text_vectorization import TextVectorization

__all__ = [
    "AutoContrast", "CategoryEncoding", "CenterCrop", "CutMix", "Discretization", "Equalization",
    "Hashing", "IntegerLookup", "MixUp", "Normalization", "Pipeline", "RandAugment",
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast",
    "RandomCrop", "RandomErasing", "RandomFlip", "RandomGrayscale", "RandomHue", "RandomInvert",
    "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation",
    "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
    "Solarization", "StringLookup", "TextVectorization"
]
__all__ += ["HashedCrossing"]
__all__ += ["AugMix", "ContrastLimitedAdaptiveHistogramEqualization", "MelSpectrogram",
            "RandomElasticTransform", "RandomGaussianBlur", "STFTSpectrogram"]
