"""`keras.ops` names over torch, for custom layers, losses and metrics.

`from lamina import ops` (or `keras.ops` after `import lamina as keras`) gives the Keras 3
functions with Keras' argument names, defaults and dtype rules. Each is a thin wrapper over a
torch call: tensors pass straight through (gradients flow where torch's do), NumPy arrays,
lists and Python scalars are converted onto the device of the tensors they meet, and nothing
reads the device back to the host.

Example:
    >>> import torch
    >>> from lamina import ops
    >>> ops.mean(ops.square(torch.tensor([1.0, 2.0, 3.0])))
    tensor(4.6667)
"""
from lamina.ops import arrays, core, creation, elementwise, linalg, math, nn, reductions, unary
from lamina.ops import decompositions, image, nn_functions, numeric, segments, stacking, statistics
from lamina.ops import complex_numbers, ctc, einops, patches, transforms, windows
from lamina.ops.arrays import *  # noqa: F401,F403
from lamina.ops.core import *  # noqa: F401,F403
from lamina.ops.creation import *  # noqa: F401,F403
from lamina.ops.elementwise import *  # noqa: F401,F403
from lamina.ops.linalg import *  # noqa: F401,F403
from lamina.ops.math import *  # noqa: F401,F403
from lamina.ops.nn import *  # noqa: F401,F403
from lamina.ops.reductions import *  # noqa: F401,F403
from lamina.ops.unary import *  # noqa: F401,F403
from lamina.ops.decompositions import *  # noqa: F401,F403
from lamina.ops.nn_functions import *  # noqa: F401,F403
from lamina.ops.numeric import *  # noqa: F401,F403
from lamina.ops.segments import *  # noqa: F401,F403
from lamina.ops.stacking import *  # noqa: F401,F403
from lamina.ops.statistics import *  # noqa: F401,F403
from lamina.ops.complex_numbers import *  # noqa: F401,F403
from lamina.ops.ctc import *  # noqa: F401,F403
from lamina.ops.einops import *  # noqa: F401,F403
from lamina.ops.patches import *  # noqa: F401,F403
from lamina.ops.transforms import *  # noqa: F401,F403
from lamina.ops.windows import *  # noqa: F401,F403
from lamina.ops import adaptive_pooling
from lamina.ops.adaptive_pooling import *  # noqa: F401,F403

import sys as _sys

from lamina.ops import symbolic as _symbolic

__all__ = sorted({*arrays.__all__, *core.__all__, *creation.__all__, *elementwise.__all__,
                  *linalg.__all__, *math.__all__, *nn.__all__, *reductions.__all__,
                  *unary.__all__, *decompositions.__all__, *nn_functions.__all__,
                  *numeric.__all__, *segments.__all__, *stacking.__all__, *statistics.__all__})
__all__ = sorted({*__all__, *complex_numbers.__all__, *ctc.__all__, *einops.__all__,
                  *patches.__all__, *transforms.__all__, *windows.__all__})

__all__ = sorted({*__all__, *adaptive_pooling.__all__})

_symbolic.accept_keras_tensors(globals(), __all__)

# Keras' sub-namespaces: `keras.ops.nn.relu`, `keras.ops.linalg.inv`, `keras.ops.numpy.mean`,
# `keras.ops.image.resize` (ops.image is its own module).
for _name in nn.__all__ + nn_functions.__all__:  # the wrapped ops, so Keras tensors work there too
    setattr(nn, _name, globals()[_name])
for _name in adaptive_pooling.__all__:
    setattr(nn, _name, globals()[_name])
for _name in ctc.__all__ + patches.__all__ + ["polar"]:
    setattr(nn, _name, globals()[_name])
for _name in linalg.__all__ + decompositions.__all__ + ["norm"]:
    setattr(linalg, _name, globals()[_name])
linalg.jvp = globals()["jvp"]
numpy = _sys.modules[__name__]
_sys.modules[f"{__name__}.numpy"] = numpy  # `import keras.ops.numpy as knp` works too
