"""Activation layers: Activation, and the activations with arguments (ReLU, PReLU, ...)."""
from lamina.layers.activations.activation import Activation
from lamina.layers.activations.elu import ELU
from lamina.layers.activations.leaky_relu import LeakyReLU
from lamina.layers.activations.prelu import PReLU
from lamina.layers.activations.relu import ReLU
from lamina.layers.activations.softmax import Softmax

__all__ = ["Activation", "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
