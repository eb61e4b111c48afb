"""Models: `Model` (functional and subclassed) and `Sequential`."""
from lamina.models.functional import Functional
from lamina.models.model import Model
from lamina.models.sequential import Sequential
from lamina.models.cloning import clone_model

__all__ = ["Functional", "Model", "Sequential", "clone_model"]
