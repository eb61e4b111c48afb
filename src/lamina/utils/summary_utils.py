"""Text rendering of `Model.summary()`: the box table and the parameter totals.

The layout reproduces what Keras 3 prints through `rich` (box `HEAVY_HEAD`,
`show_lines=True`, fixed column widths squeezed the way rich squeezes them), in
plain text, without depending on rich.
"""

from __future__ import annotations

import math
import re
import shutil
import unicodedata
from typing import Any, Callable, Iterable, Sequence

__all__ = [
    "cell_width",
    "count_params",
    "format_param_count",
    "format_shape",
    "layer_index_bounds",
    "print_summary",
    "readable_memory_size",
    "render_summary",
    "weight_memory_size",
]

_SEQUENTIAL_TITLES = ("Layer (type)", "Output Shape", "Param #")
_CONNECTED_TITLE = "Connected to"
_TRAINABLE_TITLE = "Trainable"
_DEFAULT_LINE_LENGTH = {3: 88, 4: 108}
_DEFAULT_POSITIONS = {3: (0.45, 0.80, 1.0), 4: (0.3, 0.56, 0.74, 1.0)}
_MEMORY_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")
_CELL_PADDING = 1  # rich's default table padding: one space each side of a cell


def count_params(weights: Iterable[Any]) -> int:
    """Count the scalars held by a collection of weights.

    Args:
        weights: Tensors or arrays (anything with a `shape`).

    Returns:
        The total number of elements, as an int.

    Example:
        >>> count_params([torch.zeros(784, 100), torch.zeros(100)])
        78500
    """
    return int(sum(math.prod(tuple(w.shape)) for w in weights))


def weight_memory_size(weights: Iterable[Any]) -> int:
    """Bytes used by a collection of weights, counting shared weights once.

    Args:
        weights: torch tensors (`element_size()`) or NumPy arrays (`itemsize`).

    Returns:
        The number of bytes: elements times the size of their dtype.

    Example:
        >>> weight_memory_size([torch.zeros(10), torch.zeros(10, dtype=torch.float16)])
        60
    """
    unique = {id(w): w for w in weights}.values()
    total = 0
    for weight in unique:
        itemsize = weight.element_size() if hasattr(weight, "element_size") else weight.itemsize
        total += math.prod(tuple(weight.shape)) * itemsize
    return total


def readable_memory_size(num_bytes: float) -> str:
    """Format a byte count in units of 1024 with two decimals, as Keras does.

    Args:
        num_bytes: The size in bytes.

    Returns:
        A string such as `"310.59 KB"` or `"0.00 B"`.

    Example:
        >>> readable_memory_size(318040)
        '310.59 KB'
    """
    size = float(num_bytes)
    for unit in _MEMORY_UNITS[:-1]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_MEMORY_UNITS[-1]}"


def format_param_count(count: int | str) -> str:
    """Format a parameter count with thousands separators; strings pass through.

    Args:
        count: An int, or an already formatted text such as `"0 (unbuilt)"`.

    Returns:
        The text for the "Param #" column, e.g. `"78,500"`.

    Example:
        >>> format_param_count(78500)
        '78,500'
    """
    if isinstance(count, str):
        return count
    return f"{int(count):,}"


def format_shape(shape: Any, from_call: bool = True) -> str:
    """An output shape, or a layer's several, as Keras' summary shows it.

    One axis prints as `(None)`; several outputs as a list when they come from the layer's
    call in the graph (a dict's in the order of its keys, nested ones flattened), as a tuple
    when they come from the shapes the layer was built with (`from_call=False`).

    Example:
        >>> format_shape((None, 28, 28)), format_shape((None,))
        ('(None, 28, 28)', '(None)')
        >>> format_shape({"s": (None,), "m": (None, 3)})
        '[(None, 3), (None)]'
        >>> format_shape([(None, 2), (None, 2)], from_call=False)
        '((None, 2), (None, 2))'
    """
    if _is_single_shape(shape):
        return "(" + ", ".join(str(dim) for dim in shape) + ")"
    leaves = _shape_leaves(shape)
    if from_call:
        if len(leaves) == 1:  # Keras prints a one-tensor structure as that tensor's shape
            return format_shape(leaves[0])
        return "[" + ", ".join(format_shape(leaf) for leaf in leaves) + "]"
    return "(" + ", ".join(str(tuple(leaf)) for leaf in leaves) + ")"


def _shape_leaves(structure: Any) -> list:
    if _is_single_shape(structure):
        return [structure]
    if isinstance(structure, dict):
        structure = [structure[key] for key in sorted(structure)]
    return [leaf for item in structure for leaf in _shape_leaves(item)]


def layer_index_bounds(layers: Sequence[Any], layer_range: Any = None) -> tuple[int, int]:
    """The slice of `layers` that `summary(layer_range=[first, last])` prints: from the first
    layer whose name matches the `first` pattern to the last matching `last`, both kept.

    Example:
        >>> class Named:
        ...     def __init__(self, name): self.name = name
        >>> layer_index_bounds([Named("a"), Named("b"), Named("c")], ["b", "c"])
        (1, 3)
    """
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not all(isinstance(pattern, str) for pattern in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        names = [layer.name for layer in layers]
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}; the model's layers are {names}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _is_single_shape(shape: Any) -> bool:
    """Return True when `shape` is one shape (a sequence of ints or Nones)."""
    return isinstance(shape, (tuple, list)) and all(
        dim is None or isinstance(dim, int) for dim in shape
    )


def cell_width(text: str) -> int:
    """Number of terminal cells `text` occupies (East Asian wide characters count 2).

    Args:
        text: Any string.

    Returns:
        The display width: 2 per wide/fullwidth character, 0 per combining mark.

    Example:
        >>> cell_width("패션 MNIST")
        10
    """
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> int:
    """Display width of one character."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _crop_to_width(text: str, width: int) -> str:
    """Crop `text` to at most `width` cells, padding with a space if a wide char is cut."""
    cropped, used = [], 0
    for char in text:
        size = _char_width(char)
        if used + size > width:
            break
        cropped.append(char)
        used += size
    return "".join(cropped) + " " * (width - used)


def _truncate(text: str, width: int) -> str:
    """Shorten `text` to `width` cells with a trailing ellipsis when it is too wide."""
    if width <= 0:
        return ""
    if cell_width(text) > width:
        return _crop_to_width(text, width - 1) + "…"
    return text


def _line_breaks(text: str, width: int) -> list[int]:
    """Character offsets where rich breaks `text` to fit `width` (words are not folded)."""
    breaks, offset, start = [], 0, 0
    for word in _words(text):
        word_size = cell_width(word.rstrip())
        if width - offset >= word_size:
            offset += cell_width(word)
        elif word_size > width or (offset and start):
            # A word wider than the column gets its own line (cropped later).
            if start:
                breaks.append(start)
            offset = cell_width(word)
        start += len(word)
    return breaks


def _words(text: str) -> list[str]:
    """Split `text` into words that keep their trailing whitespace (and any leading run)."""
    words, current, seen_text = [], "", False
    for char in text:
        if not char.isspace() and seen_text and current and current[-1].isspace():
            words.append(current)
            current = ""
        seen_text = seen_text or not char.isspace()
        current += char
    if current.strip():
        words.append(current)
    return words


def _wrap_cell(text: str, width: int, justify: str) -> list[str]:
    """Wrap a cell's text into lines of exactly `width` cells, as rich does."""
    lines = []
    for paragraph in text.split("\n"):
        breaks = [0, *_line_breaks(paragraph, width), len(paragraph)]
        for begin, end in zip(breaks, breaks[1:]):
            piece = paragraph[begin:end]
            excess = len(piece) - width
            if excess > 0:
                trailing = len(piece) - len(piece.rstrip())
                piece = piece[: len(piece) - min(trailing, excess)]
            if justify == "right":
                piece = _truncate(piece.rstrip(), width)
                lines.append(" " * (width - cell_width(piece)) + piece)
            elif justify == "center":
                piece = _truncate(piece.strip(), width)
                left = (width - cell_width(piece)) // 2
                lines.append(" " * left + piece + " " * (width - cell_width(piece) - left))
            else:
                piece = _truncate(piece, width)
                lines.append(piece + " " * (width - cell_width(piece)))
    return lines


def _ratio_reduce(excess: int, widths: list[int]) -> list[int]:
    """Take `excess` cells off the columns evenly (rich's `ratio_reduce`, equal ratios)."""
    ratios = [1 if width else 0 for width in widths]
    total_ratio, remaining, reduced = sum(ratios), excess, []
    for ratio, width in zip(ratios, widths):
        if ratio and total_ratio > 0:
            taken = min(width, round(ratio * remaining / total_ratio))
            reduced.append(width - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            reduced.append(width)
    return reduced


def _column_widths(line_length: int, positions: Sequence[float], columns: int) -> list[int]:
    """Cell widths (padding included, borders excluded) of each of the `columns` columns.

    Keras asks rich for columns of `int(pos * line_length)` cells inside a table
    `line_length` wide; rich adds padding and borders to that and then squeezes
    every column evenly, which is why the printed columns are narrower than asked.
    Positions past the table's columns (four given for three) are left unused, as Keras
    leaves them.
    """
    requested, used = [], 0
    for position in positions:
        width = int(position * line_length) - used
        if width < 4:
            raise ValueError(
                "Insufficient console width to print summary. Received "
                f"line_length={line_length} with positions={list(positions)}; "
                "pass a larger `line_length`."
            )
        requested.append(width)
        used += width
    requested = requested[:columns]
    available = line_length - (len(requested) + 1)
    widths = [min(width + 2 * _CELL_PADDING, available) for width in requested]
    if sum(widths) > available:
        widths = _ratio_reduce(sum(widths) - available, widths)
    return widths


def _render_row(cells: Sequence[str], widths: list[int], aligns: Sequence[str],
                border: str, vertical: str) -> list[str]:
    """Render one table row (possibly several lines high) between `border` characters."""
    inner = [width - 2 * _CELL_PADDING for width in widths]
    wrapped = [_wrap_cell(text, width, align) for text, width, align in zip(cells, inner, aligns)]
    height = max(len(lines) for lines in wrapped)
    for lines, width in zip(wrapped, inner):
        blank = [" " * width] * (height - len(lines))
        lines[:] = blank + lines if vertical == "bottom" else lines + blank
    pad = " " * _CELL_PADDING
    return [
        border + border.join(pad + lines[index] + pad for lines in wrapped) + border
        for index in range(height)
    ]


def _rule(left: str, fill: str, join: str, right: str, widths: list[int]) -> str:
    """A horizontal border line of the box."""
    return left + join.join(fill * width for width in widths) + right


def _table_lines(rows: Sequence[Sequence[Any]], titles: Sequence[str],
                 widths: list[int], trainable_flags: Sequence[str] | None = None) -> list[str]:
    """Draw the HEAVY_HEAD box table, with a rule between body rows."""
    aligns = ["left", "left", "right", "left"][: len(titles) - (trainable_flags is not None)]
    if trainable_flags is not None:
        aligns.append("center")
    lines = [_rule("┏", "━", "┳", "┓", widths)]
    lines += _render_row(titles, widths, aligns, "┃", vertical="bottom")
    lines.append(_rule("┡", "━", "╇", "┩", widths))
    for index, row in enumerate(rows):
        if index:
            lines.append(_rule("├", "─", "┼", "┤", widths))
        texts = _row_texts(row)
        if trainable_flags is not None:
            texts.append(trainable_flags[index])
        lines += _render_row(texts, widths, aligns, "│", vertical="top")
    lines.append(_rule("└", "─", "┴", "┘", widths))
    return lines


def _row_texts(row: Sequence[Any]) -> list[str]:
    """Turn a `(label, shape, params[, connected_to])` row into cell texts."""
    label, shape, params, *connections = row
    texts = [str(label), shape if isinstance(shape, str) else format_shape(shape),
             format_param_count(params)]
    if connections:
        connected = connections[0]
        if not isinstance(connected, str):
            connected = ", ".join(str(item) for item in connected) or "-"
        texts.append(connected)
    return texts


def _params_line(title: str, count: int, num_bytes: float) -> str:
    """One totals line, e.g. ` Total params: 79,510 (310.59 KB)`."""
    return f" {title}: {count:,} ({readable_memory_size(num_bytes)})"


def render_summary(
    model_name: str,
    rows: Sequence[Sequence[Any]],
    trainable_count: int,
    non_trainable_count: int,
    trainable_bytes: float,
    non_trainable_bytes: float,
    optimizer_count: int | None = None,
    optimizer_bytes: float | None = None,
    line_length: int | None = None,
    column_titles: Sequence[str] = _SEQUENTIAL_TITLES,
    positions: Sequence[float] | None = None,
    trainable_flags: Sequence[str] | None = None,
) -> str:
    """Render a model summary as Keras 3 prints it.

    Rows of four elements add Keras' "Connected to" column (functional models).
    Without `line_length`, the width is Keras' default (88, or 108 with four
    columns) capped at the terminal width minus 4.

    Args:
        model_name: Printed as given in `Model: "<name>"`.
        rows: `(layer_label, output_shape, param_count[, connected_to])` per
            layer, e.g. `("hidden (Dense)", "(None, 100)", 78500)`. The shape
            may be text or a tuple; the count an int or text; `connected_to`
            text or a list of texts such as `["dense[0][0]"]`.
        trainable_count: Number of trainable parameters.
        non_trainable_count: Number of non-trainable parameters.
        trainable_bytes: Bytes of the trainable parameters.
        non_trainable_bytes: Bytes of the non-trainable parameters.
        optimizer_count: Optimizer variables (once it is built), else None.
        optimizer_bytes: Bytes of the optimizer variables.
        line_length: Total width of the table in cells; lines wider than the
            terminal are cropped to it, as rich does.
        column_titles: Header texts; "Connected to" is appended for 4-element rows.
        positions: Right edges of the columns as fractions of `line_length`
            (Keras' `positions`); defaults to Keras' values.
        trainable_flags: For `summary(show_trainable=True)`: one text per row,
            'Y' (trainable), 'N' (frozen) or '-' (no weights), shown in an extra
            centred "Trainable" column; the default width grows by 12 and the
            default positions shrink to 90%, as in Keras.

    Returns:
        The summary text, lines joined by newlines, no trailing newline.

    Example:
        >>> print(render_summary("m", [("dense (Dense)", "(None, 2)", 8)],
        ...                      8, 0, 32, 0, line_length=76))  # doctest: +ELLIPSIS
        Model: "m"
        ...
        │ dense (Dense)                   │ (None, 2)              │             8 │
        ...
         Non-trainable params: 0 (0.00 B)
    """
    titles = list(column_titles)
    num_columns = len(rows[0]) if rows else len(titles)
    if num_columns not in (3, 4):
        raise ValueError(
            "Expected summary rows of 3 elements (label, output shape, param count) "
            f"or 4 (plus connected_to). Received a row of {num_columns} elements."
        )
    if num_columns == 4 and len(titles) == 3:
        titles.append(_CONNECTED_TITLE)
    default_length = _DEFAULT_LINE_LENGTH[num_columns]
    positions = list(positions or _DEFAULT_POSITIONS[num_columns])
    if trainable_flags is not None:
        titles.append(_TRAINABLE_TITLE)
        default_length += 12
        positions = [position * 0.90 for position in positions] + [1.0]
    terminal_columns = shutil.get_terminal_size().columns
    if line_length is None:
        line_length = min(default_length, terminal_columns - 4)
    widths = _column_widths(line_length, positions, len(titles))
    has_optimizer = optimizer_count is not None
    optimizer_count = optimizer_count or 0
    optimizer_bytes = optimizer_bytes or 0
    # rich crops a table wider than the console (a `line_length` above the terminal's).
    table = [line if cell_width(line) <= terminal_columns else _crop_to_width(line, terminal_columns)
             for line in _table_lines(rows, titles, widths, trainable_flags)]
    lines = [f'Model: "{model_name}"', *table]
    lines.append(_params_line(
        "Total params",
        trainable_count + non_trainable_count + optimizer_count,
        trainable_bytes + non_trainable_bytes + optimizer_bytes,
    ))
    lines.append(_params_line("Trainable params", trainable_count, trainable_bytes))
    lines.append(_params_line("Non-trainable params", non_trainable_count, non_trainable_bytes))
    if has_optimizer:
        lines.append(_params_line("Optimizer params", optimizer_count, optimizer_bytes))
    return "\n".join(lines)


def print_summary(*args: Any, print_fn: Callable[[str], Any] | None = None,
                  **kwargs: Any) -> None:
    """Print `render_summary(*args, **kwargs)` with `print_fn` (default `print`).

    As in Keras 3, `print_fn` receives the whole summary in one call, ending
    with a newline (what Keras' rich console capture returns).

    Args:
        *args: Positional arguments of `render_summary`.
        print_fn: Called with the summary text; defaults to `print`.
        **kwargs: Keyword arguments of `render_summary`.

    Example:
        >>> print_summary("m", [("dense (Dense)", "(None, 2)", 8)], 8, 0, 32, 0)  # doctest: +ELLIPSIS
        Model: "m"
        ...
         Total params: 8 (32.00 B)
        ...
    """
    text = render_summary(*args, **kwargs)
    if print_fn is None:
        print(text)
    else:
        print_fn(text + "\n")
