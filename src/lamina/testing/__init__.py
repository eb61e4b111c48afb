"""Testing utilities for layer authors: `run_layer_test` checks a layer the way Keras' does."""
from lamina.testing.layer_test import run_layer_test

__all__ = ["run_layer_test"]
