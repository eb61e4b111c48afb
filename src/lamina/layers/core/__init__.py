"""Core layers: Dense, Embedding, Input / InputLayer, Lambda, Identity."""
from lamina.layers.core.dense import Dense
from lamina.layers.core.embedding import Embedding
from lamina.layers.core.identity import Identity
from lamina.layers.core.input_layer import Input, InputLayer
from lamina.layers.core.lambda_layer import Lambda
from lamina.layers.core.masking import Masking

__all__ = ["Dense", "Embedding", "Identity", "Input", "InputLayer", "Lambda", "Masking"]
from lamina.layers.core import tensor_operation as _tensor_operation  # noqa: E402,F401  (hooks KerasTensor ops)
from lamina.layers.core import operation_layer as _operation_layer  # noqa: E402,F401  (hooks ops)
