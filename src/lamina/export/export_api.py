"""`export_model`: the one entry behind `Model.export`, choosing the writer by `format`.

Example:
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    >>> export_model(model, "model.bin", format="pickle")
    Traceback (most recent call last):
    ...
    ValueError: Unknown export format: 'pickle'. lamina exports to 'onnx' (an ONNX file ...
"""
from __future__ import annotations

__all__ = ["EXPORT_FORMATS", "export_model"]

EXPORT_FORMATS = ("onnx", "torch")
# Keras' formats that are built on TensorFlow (or on its converters), absent from lamina.
_TENSORFLOW_FORMATS = {"tf_saved_model": "TensorFlow's SavedModel", "litert": "LiteRT (TFLite)",
                       "openvino": "OpenVINO"}


def export_model(model, filepath, format: str = "onnx", verbose=None, input_signature=None,
                 **kwargs) -> None:
    """Exports `model`'s inference pass as `format` ('onnx' or 'torch') to `filepath`."""
    if format == "onnx":
        from lamina.export.export_onnx import export_onnx

        export_onnx(model, filepath, verbose=verbose, input_signature=input_signature, **kwargs)
    elif format == "torch":
        from lamina.export.export_torch import export_torch

        export_torch(model, filepath, verbose=verbose, input_signature=input_signature, **kwargs)
    elif format in _TENSORFLOW_FORMATS:
        raise ValueError(f"format={format!r}: {_TENSORFLOW_FORMATS[format]} export is not "
                         f"available in lamina, which runs on PyTorch without TensorFlow. Export "
                         f"to ONNX instead (format='onnx', served by ONNX Runtime, and convertible "
                         f"from there), or to a torch.export program (format='torch', a '.pt2').")
    else:
        raise ValueError(f"Unknown export format: {format!r}. lamina exports to 'onnx' (an ONNX "
                         f"file for ONNX Runtime) and 'torch' (a torch.export program, '.pt2').")
