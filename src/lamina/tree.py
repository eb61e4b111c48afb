"""`keras.tree`: flatten, map and rebuild nested structures of lists, tuples and dicts.

The nodes are lists, tuples, namedtuples, deques and dicts (dict, OrderedDict, defaultdict);
everything else, None and other subclasses (`torch.Size`) included, is a leaf. As in Keras, a dict's values are visited in the
order of its sorted keys (an `OrderedDict` keeps its own order), so `flatten` and
`pack_sequence_as` agree whatever order the keys were inserted in; rebuilt dicts keep the
original key order.

Example:
    >>> from lamina import tree
    >>> tree.flatten({"b": 1, "a": [2, None, (3,)]})
    [2, None, 3, 1]
    >>> tree.map_structure(lambda x: x * 10, {"b": 1, "a": (2, 3)})
    {'b': 10, 'a': (20, 30)}
    >>> tree.pack_sequence_as({"key3": "", "key1": "", "key2": ""}, ["v1", "v2", "v3"])
    {'key3': 'v3', 'key1': 'v1', 'key2': 'v2'}
"""
from __future__ import annotations

import collections
import warnings
from typing import Any, Callable

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
           "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
           "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse"]


class MAP_TO_NONE:  # noqa: N801 - Keras' public name
    """Returned by a `traverse` function to replace a sub-structure with None."""


_MAPPINGS = (dict, collections.OrderedDict, collections.defaultdict)
_NODE_TYPES = frozenset({list, tuple, collections.deque, *_MAPPINGS})


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def is_nested(structure) -> bool:
    """Whether `structure` is a list, tuple, namedtuple, deque or dict (not a leaf).

    Example:
        >>> is_nested(42), is_nested(None), is_nested({"foo": 42}), is_nested(())
        (False, False, True, True)
    """
    # Exact types, as optree registers them: a tuple subclass such as `torch.Size` is a leaf.
    return type(structure) in _NODE_TYPES or _is_namedtuple(structure)


def _keys(structure) -> list:
    """The child keys of a node in visiting order: indices, or sorted dict keys."""
    if isinstance(structure, dict):
        if type(structure) is collections.OrderedDict:
            return list(structure)
        try:
            return sorted(structure)
        except TypeError:  # keys that cannot be compared keep their order, as optree does
            return list(structure)
    return list(range(len(structure)))


def _children(structure) -> list:
    if isinstance(structure, dict):
        return [structure[key] for key in _keys(structure)]
    return list(structure)


def _rebuild(structure, children: list):
    """A node like `structure` holding `children` (given in `_keys` order)."""
    if isinstance(structure, dict):
        by_key = dict(zip(_keys(structure), children))
        items = [(key, by_key[key]) for key in structure]  # the original key order
        if isinstance(structure, collections.defaultdict):
            return type(structure)(structure.default_factory, items)
        return type(structure)(items)
    if _is_namedtuple(structure):
        return type(structure)(*children)
    if isinstance(structure, collections.deque):
        return collections.deque(children, maxlen=structure.maxlen)
    return type(structure)(children)


def _kind(structure) -> str:
    if isinstance(structure, dict):
        return "dict"
    if _is_namedtuple(structure):
        return f"namedtuple {type(structure).__qualname__}"
    return type(structure).__name__


def _check_same_node(expected, received, path: tuple) -> None:
    """Raises ValueError unless `received` is a node of `expected`'s kind with its keys."""
    prefix = ("The two structures don't have the same nested structure"
              + (f" at path {path}" if path else "") + ": ")
    same_kind = type(expected) is type(received) or (
        isinstance(expected, _MAPPINGS) and isinstance(received, _MAPPINGS))
    if not is_nested(received) or not same_kind:
        if _is_namedtuple(expected) and _is_namedtuple(received) and _kind(expected) == _kind(
                received):
            raise ValueError(prefix + f"{received!r} is an instance of another namedtuple class "
                             f"named {type(received).__qualname__} than {expected!r}; two "
                             f"namedtuple classes never match, even with the same fields.")
        raise ValueError(prefix + f"expected an instance of {_kind(expected)}, got {received!r}.")
    if isinstance(expected, dict):
        if set(expected) != set(received):
            raise ValueError(prefix + f"dictionary keys {_keys(expected)} and {_keys(received)} "
                             f"differ.")
    elif len(expected) != len(received):
        raise ValueError(prefix + f"{_kind(expected)} of length {len(expected)} and "
                         f"{_kind(received)} of length {len(received)}.")


def _aligned_children(first, others: tuple) -> list[list]:
    """The children of each structure, in the order of `first`'s keys."""
    keys = _keys(first)
    rows = [_children(first)]
    for other in others:
        rows.append([other[k] for k in keys] if isinstance(first, dict) else list(other))
    return rows


def _assert_same(a, b, none_is_leaf: bool) -> None:
    """Raises ValueError where `b` is not nested as `a` (see `assert_same_structure`)."""
    def visit(x, y, path: tuple) -> None:
        if not none_is_leaf and (x is None) != (y is None):
            raise ValueError(f"Structure mismatch: some arguments are None, others are not "
                             f"(at path {path}). Received arguments: {(x, y)}.")
        if not is_nested(x):
            if is_nested(y):
                raise ValueError(f"The two structures don't have the same nested structure"
                                 f"{f' at path {path}' if path else ''}: a leaf ({x!r}) faces "
                                 f"a nested structure ({y!r}).")
            return
        _check_same_node(x, y, path)
        rows = _aligned_children(x, (y,))
        for key, (child_x, child_y) in zip(_keys(x), zip(*rows)):
            visit(child_x, child_y, path + (key,))

    visit(a, b, ())


def _check_callable(func) -> None:
    if not callable(func):
        raise TypeError(f"`func` must be callable. Received: func={func!r} of type "
                        f"{type(func).__name__}.")


# ------------------------------------------------------------------------------- flatten
def flatten(structure) -> list:
    """The leaves of `structure`, depth first, dict values by sorted key.

    Example:
        >>> flatten([[1, 2, 3], [4, [5], [[6]]]]), flatten(None), flatten({100: "b", 6: "a"})
        ([1, 2, 3, 4, 5, 6], [None], ['a', 'b'])
    """
    return [leaf for _, leaf in flatten_with_path(structure)]


def flatten_with_path(structure) -> list[tuple[tuple, Any]]:
    """`(path, leaf)` pairs; a path is the tuple of indices and dict keys leading to the leaf.

    Example:
        >>> flatten_with_path([{"foo": 42}])
        [((0, 'foo'), 42)]
    """
    found: list[tuple[tuple, Any]] = []

    def visit(node, path: tuple) -> None:
        if not is_nested(node):
            found.append((path, node))
            return
        for key, child in zip(_keys(node), _children(node)):
            visit(child, path + (key,))

    visit(structure, ())
    return found


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` rebuilt in the shape of `structure` (the inverse of `flatten`).

    Raises:
        TypeError: `flat_sequence` is not a sequence.
        ValueError: it has more or fewer items than `structure` has leaves.

    Example:
        >>> pack_sequence_as((("a", "b"), ("c", "d", "e"), "f"), [1, 2, 3, 4, 5, 6])
        ((1, 2), (3, 4, 5), 6)
    """
    if not isinstance(flat_sequence, (list, tuple, collections.deque)) and not (
            hasattr(flat_sequence, "__len__") and hasattr(flat_sequence, "__getitem__")):
        raise TypeError(f"`flat_sequence` must be a sequence (a list of the leaves). Received: "
                        f"{flat_sequence!r} of type {type(flat_sequence).__name__}.")
    leaves = list(flat_sequence)
    expected = len(flatten(structure))
    if len(leaves) != expected:
        raise ValueError(f"Could not pack sequence: the structure has {expected} leaves, but "
                         f"`flat_sequence` has {len(leaves)} items. Structure: {structure!r}.")
    position = iter(leaves)

    def build(node):
        if not is_nested(node):
            return next(position)
        return _rebuild(node, [build(child) for child in _children(node)])

    return build(structure)


# --------------------------------------------------------------------------------- maps
def map_structure(func: Callable, *structures, none_is_leaf: bool = True):
    """`func` applied to the leaves of `structures`, which must be nested alike.

    Args:
        func: called with one leaf of each structure.
        *structures: structures of the same layout (dicts compare by their keys).
        none_is_leaf: if False, None leaves are kept as None without calling `func` (all
            structures must then have None there).

    Raises:
        ValueError: no structure is given, or the structures differ.

    Example:
        >>> map_structure(lambda x, y: x * y, [[1], [2], [3]], [[1], [2], [3]])
        [[1], [4], [9]]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    _check_callable(func)
    for other in structures[1:]:  # the whole layout first, before `func` runs on any leaf
        _assert_same(structures[0], other, none_is_leaf)

    def visit(nodes: tuple):
        first = nodes[0]
        if first is None and not none_is_leaf:
            return None
        if not is_nested(first):
            return func(*nodes)
        rows = _aligned_children(first, nodes[1:])
        return _rebuild(first, [visit(column) for column in zip(*rows)])

    return visit(structures)


def map_structure_up_to(shallow_structure, func: Callable, *structures):
    """Like `map_structure`, but only down to the leaves of `shallow_structure`: whatever
    the structures hold there (nested or not) is passed to `func` whole.

    Example:
        >>> map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]])
        ['[1, 1]', ['2', '2']]
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    _check_callable(func)

    def visit(shallow, nodes: tuple, path: tuple):
        if not is_nested(shallow):
            return func(*nodes)
        for node in nodes:
            _check_same_node(shallow, node, path)
        rows = _aligned_children(shallow, nodes)
        children = [visit(column[0], column[1:], path + (key,))
                    for key, column in zip(_keys(shallow), zip(*rows))]
        return _rebuild(shallow, children)

    return visit(shallow_structure, structures, ())


def map_shape_structure(func: Callable, structure):
    """`map_structure` that treats shape tuples (lists/tuples of ints and Nones) as leaves.

    Example:
        >>> map_shape_structure(len, {"a": (None, 3), "b": [(1, 2), (4,)]})
        {'a': 2, 'b': [2, 1]}
    """
    def is_shape(value) -> bool:
        return isinstance(value, (list, tuple)) and all(
            isinstance(d, int) or d is None for d in value)

    def visit(node):
        if is_shape(node) or not is_nested(node):
            return func(node)
        return _rebuild(node, [visit(child) for child in _children(node)])

    return visit(structure)


def traverse(func: Callable, structure, top_down: bool = True):
    """Applies `func` to every sub-structure, depth first.

    Top down, parents come first: where `func` returns something other than None, that
    replaces the sub-structure and its children are not visited. Bottom up, children come
    first and a non-None result replaces the (already traversed) sub-structure. Return
    `MAP_TO_NONE` to put None in place.

    Example:
        >>> visited = []
        >>> traverse(visited.append, [(1, 2), [3], {"a": 4}])
        [(1, 2), [3], {'a': 4}]
        >>> visited
        [[(1, 2), [3], {'a': 4}], (1, 2), 1, 2, [3], 3, {'a': 4}, 4]
    """
    _check_callable(func)

    def visit_children(node):
        if not is_nested(node):
            return node
        return _rebuild(node, [visit(child) for child in _children(node)])

    def visit(node):
        if top_down:
            result = func(node)
            if result is None:
                return visit_children(node)
        else:
            node = visit_children(node)
            result = func(node)
            if result is None:
                return node
        return None if result is MAP_TO_NONE else result

    return visit(structure)


def lists_to_tuples(structure):
    """`structure` with every list turned into a tuple.

    Example:
        >>> lists_to_tuples([1, [2, {"a": [3]}]])
        (1, (2, {'a': (3,)}))
    """
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure,
                    top_down=False)


# ------------------------------------------------------------------------------ asserts
def assert_same_structure(a, b, check_types=None) -> None:
    """Raises ValueError unless `a` and `b` are nested alike (leaves may differ).

    Lists, tuples, namedtuples and deques must match in type (two namedtuple classes differ
    even with the same name and fields); dict, OrderedDict and defaultdict match when they
    have the same keys.

    Args:
        a, b: the structures.
        check_types: deprecated in Keras and ignored (a warning says so).

    Example:
        >>> assert_same_structure([(0, 1)], [(2, 3)])
        >>> assert_same_structure([0, 1], (2, 3))
        Traceback (most recent call last):
            ...
        ValueError: The two structures don't have the same nested structure: expected an instance of list, got (2, 3).
    """
    if check_types is not None:
        warnings.warn("The `check_types` argument is deprecated and no longer has any effect"
                      + (", please remove." if check_types else
                         ". For a looser check, use `keras.tree.assert_same_paths()`, which "
                         "considers `list`, `tuple`, `namedtuple` and `deque` as matching"),
                      DeprecationWarning, stacklevel=2)

    _assert_same(a, b, none_is_leaf=True)


def assert_same_paths(a, b) -> None:
    """Raises ValueError unless `a` and `b` have the same leaf paths (container types are
    not compared: `[0, 1]` and `(2, 3)` match).

    Example:
        >>> assert_same_paths([0, 1], (2, 3))
    """
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)
