"""`OperationLayer`: a `keras.ops` function called on Keras tensors, as one functional-graph node.

Keras 3 lets functional models use ops directly (`ops.expand_dims(x, -1)`,
`ops.concatenate([a, b])`); each such call becomes a weightless node that calls the op again
on real tensors when the model runs. As in Keras, the arguments holding Keras tensors are the
node's arguments and the others (`axis=-1`) are the operation's config, and these nodes are
hidden from `model.layers` but listed by `summary()`, as in Keras.

Example:
    >>> from lamina import ops
    >>> x = lamina.Input(shape=(3,))
    >>> y = ops.expand_dims(ops.mean(x, axis=-1), -1)
    >>> y.shape
    (None, 1)
    >>> lamina.Model(x, y)(torch.ones(2, 3)).shape
    torch.Size([2, 1])
"""
from __future__ import annotations

import inspect

from lamina.layers.layer import Layer
from lamina.ops.keras_tensor import KerasTensor
from lamina.utils import naming

__all__ = ["OperationLayer"]

# Where Keras 3.15 defines each operation's class (keras.src.ops.<module>), when not in numpy;
# listed from Keras' op modules, matching each function to the class of the same letters.
_KERAS_MODULES = {
    **dict.fromkeys("""adaptive_average_pool adaptive_max_pool average_pool binary_crossentropy
        categorical_crossentropy celu conv conv_transpose ctc_decode ctc_loss depth_to_space
        depthwise_conv dot_product_attention elu fold gelu glu hard_shrink hard_sigmoid hard_silu
        hard_tanh leaky_relu log_sigmoid log_softmax max_pool moments multi_hot normalize one_hot
        polar psnr relu relu6 selu separable_conv sigmoid silu soft_shrink softmax softplus
        softsign space_to_depth sparse_categorical_crossentropy sparse_plus sparse_sigmoid
        sparsemax squareplus tanh_shrink threshold unfold""".split(), "nn"),
    **dict.fromkeys("""affine_transform crop_images elastic_transform extract_patches
        gaussian_blur hsv_to_rgb map_coordinates pad_images perspective_transform resize
        rgb_to_grayscale rgb_to_hsv scale_and_translate sobel_edges ssim""".split(), "image"),
    **dict.fromkeys("""associative_scan cast cond convert_to_tensor fori_loop map saturate_cast
        scan scatter scatter_update slice slice_update stop_gradient switch unstack
        vectorized_map while_loop""".split(), "core"),
    **dict.fromkeys("""cdist erf erfc erfinv extract_sequences fft fft2 ifft2 in_top_k irfft istft
        logdet logsumexp rfft rsqrt segment_max segment_min segment_prod segment_sum stft top_k
        view_as_complex view_as_real""".split(), "math"),
    **dict.fromkeys("""cholesky cholesky_inverse det eig eigh inv jvp lstsq lu_factor matrix_rank
        norm pinv qr solve solve_triangular svd""".split(), "linalg"),
    "rearrange": "einops",
}
# Keras' class names that are not the function's name in CamelCase.
_KERAS_CLASS_NAMES = {
    "allclose": "AllClose", "cdist": "CDist", "ctc_decode": "CTCDecode", "ctc_loss": "CTCLoss",
    "fft": "FFT", "fft2": "FFT2", "hsv_to_rgb": "HSVToRGB", "ifft2": "IFFT2", "irfft": "IRFFT",
    "isin": "IsIn", "istft": "ISTFT", "jvp": "JVP", "psnr": "PSNR", "rfft": "RFFT",
    "rgb_to_grayscale": "RGBToGrayscale", "rgb_to_hsv": "RGBToHSV",
    "searchsorted": "SearchSorted", "ssim": "SSIM", "stft": "STFT", "svd": "SVD",
}
_FUNCTIONS_BY_CLASS = {class_name: name for name, class_name in _KERAS_CLASS_NAMES.items()}
# Parameters that Keras' op classes take in `call`, so a node argument even as a plain number:
# `not_equal(x, 0)` is the node `[x, 0]` with config {"name"}; a config {"x2": 0} is one
# Keras cannot read.
_CALL_PARAMETERS = frozenset({"x1", "x2"})


class OperationLayer(Layer):
    """Calls `function` with the node's tensor arguments and the fixed `arguments`.

    Args:
        function: the op, e.g. `lamina.ops.mean` (its undecorated form).
        tensor_arguments: the names of the parameters the node's arguments fill, in order.
        arguments: the values of the other parameters.
        variadic: for an op taking `*operands` (`einsum`, `meshgrid`), their parameter's
            name: the node's arguments fill it, after the parameters before it.
    """

    _accepts_integer_inputs = True
    # Arguments such as `ops.cast(x, "int32")`'s dtype pass through untouched.
    _accepts_string_inputs = True
    _is_operation = True

    def __init__(self, function, tensor_arguments=(), arguments=None, variadic=None, **kwargs):
        kwargs.setdefault("name", naming.unique_name(function.__name__))
        super().__init__(**kwargs)
        self.function = function
        self.tensor_arguments = list(tensor_arguments)
        self.arguments = dict(arguments or {})
        self.variadic = variadic
        # For `*operands` ops: the parameters before them (einsum's subscripts), passed by
        # position, and the rest by keyword; split once, not on every call.
        names = list(inspect.signature(function).parameters)
        leading = names[:names.index(variadic)] if variadic else []
        self._leading = [self.arguments[name] for name in leading]
        self._keywords = {k: v for k, v in self.arguments.items() if k not in leading}
        self.built = True

    def call(self, *tensors):
        if self.variadic is None:
            return self.function(**self.arguments, **dict(zip(self.tensor_arguments, tensors)))
        return self.function(*self._leading, *tensors, **self._keywords)

    def get_config(self) -> dict:
        config = {"name": self.name, "function": self.function.__name__,
                  "tensor_arguments": self.tensor_arguments, "arguments": self.arguments}
        return config if self.variadic is None else {**config, "variadic": self.variadic}

    @classmethod
    def from_config(cls, config: dict) -> OperationLayer:
        config = dict(config)
        return cls(_op(config.pop("function")), **config)

    @property
    def keras_class_name(self) -> str:
        """Keras' class for this op: `ExpandDims` for `ops.expand_dims`."""
        name = self.function.__name__
        return _KERAS_CLASS_NAMES.get(name) or "".join(p.capitalize() for p in name.split("_"))

    def keras_entry(self) -> dict:
        """This operation as Keras writes it in a functional config (class, module, config)."""
        class_name = self.keras_class_name
        module = _KERAS_MODULES.get(self.function.__name__, "numpy")
        return {"module": f"keras.src.ops.{module}",
                "class_name": class_name, "config": {"name": self.name, **self.arguments},
                "registered_name": class_name}

    @classmethod
    def from_keras_entry(cls, entry: dict) -> OperationLayer | None:
        """The operation of a Keras config entry, or None when lamina.ops has no such op.

        The node's arguments fill, in order, the op's parameters that the config does not set.
        """
        class_name = entry.get("class_name", "")
        name = _FUNCTIONS_BY_CLASS.get(class_name) or naming.to_snake_case(class_name)
        if _find_op(name) is None:
            return None
        function = _op(name)
        arguments = {k: v for k, v in (entry.get("config") or {}).items() if k != "name"}
        signature = inspect.signature(function).parameters.values()
        variadic = next((p.name for p in signature if p.kind is p.VAR_POSITIONAL), None)
        parameters = [] if variadic else [p.name for p in signature if p.name not in arguments]
        return cls(function, parameters, arguments, variadic=variadic,
                   name=(entry.get("config") or {}).get("name", entry.get("name")))


def _op(name: str):
    function = _find_op(name)
    if function is None:
        raise ValueError(f"Unknown op {name!r} in an operation config; expected a function of "
                         f"lamina.ops or lamina.ops.image.")
    return getattr(function, "__wrapped__", function)


def _find_op(name: str):
    """`lamina.ops.<name>`, or `lamina.ops.image.<name>` for Keras' image ops; else None."""
    from lamina import ops

    if name in ops.__all__:
        return getattr(ops, name)
    if _KERAS_MODULES.get(name) == "image":
        return getattr(ops.image, name, None)
    return None


def record_function(function, args, kwargs):
    """Records `function(*args, **kwargs)` on Keras tensors as a node; returns its outputs."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    given = set(bound.arguments)
    bound.apply_defaults()
    tensor_names = [n for n, v in bound.arguments.items()
                    if _holds_keras_tensor(v) or (n in _CALL_PARAMETERS and n in given)]
    kinds = {p.name: p.kind for p in bound.signature.parameters.values()}
    variadic = next((n for n in bound.arguments if kinds[n] is inspect.Parameter.VAR_POSITIONAL),
                    None)
    if any(kinds[n] is inspect.Parameter.POSITIONAL_ONLY for n in bound.arguments) or (
            variadic is not None and set(tensor_names) - {variadic}):
        raise TypeError(f"`ops.{function.__name__}` cannot take symbolic Keras tensors here; call "
                        f"it inside a custom layer's `call` or a `keras.layers.Lambda` instead.")
    if variadic is not None:  # einsum("bi,bi->b", x, y): the operands are the node's arguments
        arguments = {n: v for n, v in bound.arguments.items()
                     if n != variadic and kinds[n] is not inspect.Parameter.VAR_KEYWORD}
        arguments.update(bound.arguments.get(next((n for n in kinds if kinds[n] is
                                                   inspect.Parameter.VAR_KEYWORD), ""), {}))
        layer = OperationLayer(function, (), arguments, variadic=variadic)
        return layer(*bound.arguments[variadic])
    arguments = {n: v for n, v in bound.arguments.items() if n not in tensor_names}
    layer = OperationLayer(function, tensor_names, arguments)
    return layer(*[bound.arguments[n] for n in tensor_names])


def _holds_keras_tensor(value) -> bool:
    from lamina.ops.symbolic import has_keras_tensor

    return has_keras_tensor((value,), {})


KerasTensor._record_function = staticmethod(record_function)
