"""Export a model's inference pass: to ONNX (`torch.onnx`) or a `torch.export` program (`.pt2`).

`model.export(filepath, format=...)` is the usual entry; these are the functions behind it.

Example:
    >>> sorted(EXPORT_FORMATS)
    ['onnx', 'torch']
"""
from lamina.export.export_api import EXPORT_FORMATS, export_model
from lamina.export.export_onnx import export_onnx
from lamina.export.export_torch import export_torch
from lamina.export.export_utils import get_input_signature

__all__ = ["EXPORT_FORMATS", "export_model", "export_onnx", "export_torch", "get_input_signature"]
