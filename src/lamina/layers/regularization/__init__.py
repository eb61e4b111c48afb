"""Regularization layers: active only in training (Dropout and friends)."""
from lamina.layers.regularization.dropout import Dropout

__all__ = ["Dropout"]
