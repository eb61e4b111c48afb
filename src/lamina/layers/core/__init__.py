"""Core layers: Dense, EinsumDense, Embedding, Input / InputLayer, Lambda, Identity, Masking,
TorchModuleWrapper (a torch.nn.Module as a layer) and Wrapper (the base of layers wrapping a
layer)."""
from lamina.layers.core.dense import Dense
from lamina.layers.core.einsum_dense import EinsumDense
from lamina.layers.core.embedding import Embedding
from lamina.layers.core.identity import Identity
from lamina.layers.core.input_layer import Input, InputLayer
from lamina.layers.core.lambda_layer import Lambda
from lamina.layers.core.masking import Masking
from lamina.layers.core.reversible_embedding import ReversibleEmbedding
from lamina.layers.core.torch_module_wrapper import TorchModuleWrapper
from lamina.layers.core.wrapper import Wrapper

__all__ = ["Dense", "EinsumDense", "Embedding", "Identity", "Input", "InputLayer", "Lambda",
           "Masking", "TorchModuleWrapper", "Wrapper"]
__all__ += ["ReversibleEmbedding"]
from lamina.layers.core import tensor_operation as _tensor_operation  # noqa: E402,F401  (hooks KerasTensor ops)
from lamina.layers.core import operation_layer as _operation_layer  # noqa: E402,F401  (hooks ops)
