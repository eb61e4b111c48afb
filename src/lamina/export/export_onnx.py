"""Export to ONNX through `torch.onnx` (the torch.export-based exporter), for ONNX Runtime.

The file holds the model's inference pass only (dropout off, BatchNormalization's moving
statistics), with a batch axis of any size; it runs without lamina or PyTorch.

Example (needs `pip install lamina[onnx]`):
    >>> import os, tempfile, onnxruntime                      # doctest: +SKIP
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])  # doctest: +SKIP
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")  # doctest: +SKIP
    >>> export_onnx(model, path, verbose=False)                # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession(path)           # doctest: +SKIP
    >>> session.run(None, {"input_layer": np.ones((5, 3), "float32")})[0].shape  # doctest: +SKIP
    (5, 2)
"""
from __future__ import annotations

import contextlib
import importlib.util
import inspect
import logging
import os
import warnings

import torch

from lamina.export import export_utils
from lamina.saving.file_io import atomic_write

__all__ = ["export_onnx"]

# torch.onnx.export arguments that lamina sets itself (the rest pass through `**kwargs`).
_OWN_ARGUMENTS = {"model", "args", "f", "kwargs", "input_names", "output_names", "dynamo",
                  "dynamic_shapes", "dynamic_axes", "external_data", "verbose", "training",
                  "opset_version"}


def export_onnx(model, filepath, verbose=None, input_signature=None, opset_version=None,
                **kwargs) -> None:
    """Writes `model`'s inference pass to `filepath` as one self-contained ONNX file.

    Args:
        model: a built lamina model.
        filepath: where to write (str or path-like), e.g. "model.onnx".
        verbose: print a line once saved (None means True, as in Keras).
        input_signature: the inputs' shapes and dtypes (see `standardize_input_signature`);
            None uses the model's `Input` shapes, with the batch axis free.
        opset_version: the ONNX opset (None: torch.onnx's default).
        **kwargs: further `torch.onnx.export` arguments (e.g. `optimize=False`).

    Raises:
        ImportError: `onnx` or `onnxscript` is not installed.
    """
    _require_onnx()
    options = _onnx_options(kwargs)
    specs = export_utils.standardize_input_signature(model, input_signature)
    filepath = os.fspath(filepath)
    with warnings.catch_warnings(), _quiet_registry():
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*axis name.*will not be used.*")
        # Traced here, not by torch.onnx: on a shape constraint it would quietly retry with
        # the free axes fixed to the samples' sizes.
        exported = export_utils.trace(model, specs)
        try:
            program = torch.onnx.export(
                exported, input_names=export_utils.input_names(specs),
                output_names=_output_names(model), dynamic_shapes=_axis_names(specs),
                opset_version=opset_version, dynamo=True, verbose=False, **options)
        except Exception as error:
            raise RuntimeError(f"Could not export model '{model.name}' to ONNX: torch.onnx "
                               f"failed ({type(error).__name__}: {error}).") from error
    with atomic_write(filepath) as temporary:
        program.save(temporary, external_data=False)
    if verbose is None or verbose:
        print(f"Saved artifact at '{filepath}'.")


def _require_onnx() -> None:
    missing = [name for name in ("onnx", "onnxscript") if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"Exporting to ONNX needs the package(s) {', '.join(missing)}, which "
                          f"are not installed. Install them with `pip install lamina[onnx]` (or "
                          f"`pip install onnx onnxscript onnxruntime`), or export a PyTorch "
                          f"program instead: model.export('model.pt2', format='torch').")


def _onnx_options(kwargs: dict) -> dict:
    supported = set(inspect.signature(torch.onnx.export).parameters) - _OWN_ARGUMENTS
    unknown = sorted(set(kwargs) - supported)
    if unknown:
        raise ValueError(f"Unsupported arguments for format='onnx': {', '.join(unknown)}. "
                         f"Supported arguments are: opset_version, {', '.join(sorted(supported))}.")
    return kwargs


def _axis_names(specs) -> list[dict]:
    """The free axes' names in the file: 'batch', and `<input>_<axis>` for the others."""
    return [{axis: dim.__name__ for axis, dim in shape.items()}
            for shape in export_utils.dynamic_shapes(specs)]


def _output_names(model) -> list[str] | None:
    """The functional model's output names, a Sequential's last layer; else torch's own."""
    names = getattr(model, "output_names", None)
    if not names:
        names = [tensor.history[0].name for tensor in getattr(model, "outputs", None) or []]
    return list(names) or None


@contextlib.contextmanager
def _quiet_registry():
    # torch.onnx logs a warning per torchvision operator it cannot register; none is used here.
    logger = logging.getLogger("torch.onnx._internal.exporter._registration")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
