"""Function transformations: `vectorize`, `custom_gradient` and `jvp` (also `ops.linalg.jvp`).

They take Python functions of tensors and return new ones (or their derivatives) through torch's
own machinery: `torch.vmap`, `torch.autograd.Function` and `torch.func.jvp`.

Example:
    >>> from lamina import ops
    >>> ops.vectorize(lambda a, b: a + b)([1, 2, 3], 10)
    tensor([11, 12, 13], dtype=torch.int32)
"""
from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable

import torch
from torch.utils import _pytree as pytree

from lamina.ops.core import first_device, tensor, tensors

__all__ = ["custom_gradient", "jvp", "vectorize"]

_SIGNATURE = re.compile(r"^(\(\w*(?:,\w+)*\)(?:,\(\w*(?:,\w+)*\))*)->(\(\w*(?:,\w+)*\)"
                        r"(?:,\(\w*(?:,\w+)*\))*)$")


def _core_dims(signature: str) -> list[tuple[str, ...]]:
    """The input core dimensions of a gufunc signature such as `"(m,n),(n)->(m)"`."""
    match = _SIGNATURE.match(signature.replace(" ", ""))
    if match is None:
        raise ValueError(f"`signature` is not a valid gufunc signature such as '(m,n),(n)->(m)'. "
                         f"Received: signature={signature!r}")
    return [tuple(re.findall(r"\w+", arg)) for arg in re.findall(r"\(.*?\)", match.group(1))]


def vectorize(pyfunc: Callable, *, excluded=None, signature: str | None = None) -> Callable:
    """`pyfunc` mapped over the leading (broadcast) axes of its arguments with `torch.vmap`.

    Args:
        pyfunc: A function of tensors; by default it sees scalars (0-d tensors).
        excluded: Positions of arguments passed to `pyfunc` as they are, not mapped.
        signature: A gufunc signature such as `"(m,n),(n)->(m)"`: the trailing axes each
            argument hands to `pyfunc` whole.

    Returns:
        The vectorized function.

    Example:
        >>> matvec = vectorize(torch.mv, signature="(m,n),(n)->(m)")
        >>> matvec(torch.ones(5, 2, 3), torch.ones(3)).shape
        torch.Size([5, 2])
    """
    if not callable(pyfunc):
        raise ValueError(f"Expected argument `pyfunc` to be a callable. Received: pyfunc={pyfunc}")
    excluded = set(excluded or ())
    cores = None if signature is None else _core_dims(signature)

    @functools.wraps(pyfunc)
    def vectorized(*args, **kwargs):
        mapped = [i for i, arg in enumerate(args) if i not in excluded and arg is not None]

        def call(*values):
            full = list(args)
            for position, value in zip(mapped, values):
                full[position] = value
            return pyfunc(*full, **kwargs)

        values = tensors(*[args[i] for i in mapped])
        arg_cores = [()] * len(values) if cores is None else cores
        if len(arg_cores) != len(values):
            raise TypeError(f"`signature` {signature!r} describes {len(arg_cores)} arguments, but "
                            f"the function received {len(values)}.")
        core_shapes = [v.shape[v.dim() - len(c):] if c else () for v, c in zip(values, arg_cores)]
        loop = torch.broadcast_shapes(*[v.shape[:v.dim() - len(c)]
                                        for v, c in zip(values, arg_cores)])
        if not loop:
            return call(*values)
        flat = [v.expand(loop + tuple(core)).reshape((-1, *core))
                for v, core in zip(values, core_shapes)]
        result = torch.vmap(call)(*flat)
        return pytree.tree_map(lambda r: r.reshape(loop + r.shape[1:]), result)

    return vectorized


def _takes_inputs_and_upstream(grad_fn: Callable, args, upstream) -> bool:
    """Whether `grad_fn(*args, upstream=...)` binds (else it is `grad_fn(upstream)`)."""
    try:
        inspect.signature(grad_fn).bind(*args, upstream=upstream)
    except TypeError:
        return False
    except ValueError:  # no signature to read (a builtin): Keras' convention
        return True
    return True


class _CustomGradient(torch.autograd.Function):
    """Runs `forward_fn(*args)` -> `(output, grad_fn)` and calls `grad_fn` on the way back."""

    @staticmethod
    def forward(ctx, forward_fn, *args):
        result = forward_fn(*args)
        if not (isinstance(result, (tuple, list)) and len(result) == 2 and callable(result[1])):
            raise TypeError(f"A function decorated with `custom_gradient` must return "
                            f"`(output, grad_fn)`. Received: {type(result).__name__} from "
                            f"{getattr(forward_fn, '__name__', forward_fn)!r}")
        output, ctx.grad_fn = result
        ctx.is_tensor = [isinstance(arg, torch.Tensor) for arg in args]
        ctx.others = [None if t else arg for t, arg in zip(ctx.is_tensor, args)]
        ctx.save_for_backward(*[arg for arg in args if isinstance(arg, torch.Tensor)])
        return output

    @staticmethod
    def backward(ctx, *upstreams):
        saved = iter(ctx.saved_tensors)
        args = [next(saved) if t else other for t, other in zip(ctx.is_tensor, ctx.others)]
        upstream = upstreams[0] if len(upstreams) == 1 else upstreams
        if _takes_inputs_and_upstream(ctx.grad_fn, args, upstream):
            grads = ctx.grad_fn(*args, upstream=upstream)  # Keras' torch-backend convention
        else:
            grads = ctx.grad_fn(upstream)  # the JAX / TensorFlow convention
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        grads += [None] * (len(args) - len(grads))
        return (None, *[g if t else None for g, t in zip(grads, ctx.is_tensor)])


def custom_gradient(f: Callable) -> Callable:
    """Decorates `f(*args) -> (output, grad_fn)` so that gradients come from `grad_fn`.

    `grad_fn(*args, upstream)` receives the inputs and the gradient of the output (`upstream`,
    a keyword, as in Keras' torch backend; `grad_fn(upstream)` works too) and returns one
    gradient per argument.

    Example:
        >>> @custom_gradient
        ... def log1pexp(x):
        ...     e = torch.exp(x)
        ...     def grad(*args, upstream=None):
        ...         return upstream * (1.0 - 1.0 / (1 + e))
        ...     return torch.log(1 + e), grad
        >>> x = torch.tensor(100.0, requires_grad=True)
        >>> log1pexp(x).backward()
        >>> x.grad
        tensor(1.)
    """
    @functools.wraps(f)
    def with_custom_gradient(*args, **kwargs):
        forward = functools.partial(f, **kwargs) if kwargs else f
        return _CustomGradient.apply(forward, *args)

    return with_custom_gradient


def jvp(fun: Callable, primals, tangents, has_aux: bool = False):
    """The forward-mode Jacobian-vector product of `fun` at `primals` along `tangents`.

    Args:
        fun: A function of `len(primals)` tensor arguments.
        primals: The point, a tuple or list of arguments.
        tangents: The direction, with the structure and shapes of `primals`.
        has_aux: Whether `fun` returns `(output, aux)`, with `aux` not differentiated.

    Returns:
        `(primals_out, tangents_out)`, or `(primals_out, tangents_out, aux)` with `has_aux`.

    Example:
        >>> jvp(torch.sin, (torch.tensor(0.0),), (torch.tensor(2.0),))
        (tensor(0.), tensor(2.))
    """
    device = first_device(pytree.tree_leaves((primals, tangents)))
    primals, tangents = (tuple(pytree.tree_map(lambda v: tensor(v, device), tuple(values)))
                         for values in (primals, tangents))
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
