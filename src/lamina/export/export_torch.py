"""Export to a `torch.export` program (`.pt2`): the inference graph in ATen operations.

`torch.export.load(path).module()` gives back a module that predicts as the model does
(called the way the model is: one tensor, a list or a dict), with no lamina code needed;
it can be compiled further with `torch.compile` or AOTInductor.

Example:
    >>> import os, tempfile, torch
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt2")
    >>> export_torch(model, path, verbose=False)
    >>> torch.export.load(path).module()(torch.ones(5, 3)).shape
    torch.Size([5, 2])
"""
from __future__ import annotations

import inspect
import os

import torch

from lamina.export import export_utils
from lamina.saving.file_io import atomic_write

__all__ = ["export_torch"]


def export_torch(model, filepath, verbose=None, input_signature=None, **kwargs) -> None:
    """Writes `model`'s inference pass to `filepath` (a `.pt2` file) via `torch.export`.

    Args:
        model: a built lamina model.
        filepath: where to write; the name must end with `.pt2`.
        verbose: print a line once saved (None means True, as in Keras).
        input_signature: the inputs' shapes and dtypes (see `standardize_input_signature`);
            None uses the model's `Input` shapes, with the batch axis free.
        **kwargs: `torch.export.export` arguments: `strict`, `dynamic_shapes` (replacing the
            free batch axis), `prefer_deferred_runtime_asserts_over_guards`,
            `preserve_module_call_signature`.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".pt2"):
        raise ValueError(f"format='torch' writes a torch.export program, whose file name must "
                         f"end with '.pt2', but received filepath={filepath!r}. Use e.g. "
                         f"{os.path.splitext(filepath)[0] + '.pt2'!r}.")
    options = _export_options(kwargs)
    specs = export_utils.standardize_input_signature(model, input_signature)
    program = export_utils.trace(model, specs, **options)
    with atomic_write(filepath) as temporary, open(temporary, "wb") as file:
        torch.export.save(program, file)
    if verbose is None or verbose:
        print(f"Saved PyTorch ExportedProgram at '{filepath}'.")


def _export_options(kwargs: dict) -> dict:
    supported = set(inspect.signature(torch.export.export).parameters) - {"mod", "args", "kwargs"}
    unknown = sorted(set(kwargs) - supported)
    if unknown:
        raise ValueError(f"Unsupported arguments for format='torch': {', '.join(unknown)}. "
                         f"Supported arguments are: {', '.join(sorted(supported))}.")
    return dict(kwargs)
