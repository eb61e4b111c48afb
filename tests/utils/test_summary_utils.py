"""Tests for lamina.utils.summary_utils: Keras 3's summary table, in plain text."""

import numpy as np
import pytest
import torch

from lamina.utils import summary_utils
from lamina.utils.summary_utils import (
    cell_width,
    count_params,
    format_shape,
    print_summary,
    readable_memory_size,
    render_summary,
    weight_memory_size,
)

FASHION_ROWS = [
    ("flatten (Flatten)", "(None, 784)", 0),
    ("hidden (Dense)", "(None, 100)", 78500),
    ("output (Dense)", "(None, 10)", 1010),
]

# Printed by Keras 3.15 for the Fashion-MNIST MLP of tutorial 01.
FASHION_SUMMARY = """\
Model: "패션_MNIST_모델"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ flatten (Flatten)               │ (None, 784)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ hidden (Dense)                  │ (None, 100)            │        78,500 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ output (Dense)                  │ (None, 10)             │         1,010 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 79,510 (310.59 KB)
 Trainable params: 79,510 (310.59 KB)
 Non-trainable params: 0 (0.00 B)"""


def fashion_summary(**kwargs):
    return render_summary("패션_MNIST_모델", FASHION_ROWS, 79510, 0, 79510 * 4, 0, **kwargs)


def test_fashion_mnist_table_matches_keras_exactly():
    assert fashion_summary(line_length=76) == FASHION_SUMMARY


def test_default_width_follows_terminal_like_keras(monkeypatch):
    # Keras uses min(88, terminal columns - 4); pytest's output is 80 columns wide.
    monkeypatch.setenv("COLUMNS", "80")
    assert fashion_summary() == FASHION_SUMMARY


def test_wide_terminal_uses_88_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = fashion_summary().split("\n")
    # rich squeezes the requested 39/31/18 columns by 3/4/3 cells to fit 88.
    assert lines[1] == "┏" + "━" * 38 + "┳" + "━" * 29 + "┳" + "━" * 17 + "┓"
    assert {len(line) for line in lines[1:10]} == {88}


def test_optimizer_line_and_total():
    # Dense(2) on 3 inputs trained with Adam (KERAS_FACTS.md).
    text = render_summary("sequential", [("dense (Dense)", (None, 2), 8)], 8, 0, 32, 0,
                          optimizer_count=18, optimizer_bytes=72, line_length=76)
    assert text.split("\n")[-4:] == [
        " Total params: 26 (104.00 B)",
        " Trainable params: 8 (32.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        " Optimizer params: 18 (72.00 B)",
    ]


def test_no_optimizer_line_before_the_optimizer_is_built():
    assert "Optimizer params" not in fashion_summary(line_length=76)


@pytest.mark.parametrize("num_bytes, expected", [
    (0, "0.00 B"),
    (1023, "1023.00 B"),
    (1024, "1.00 KB"),
    (318040, "310.59 KB"),
    (5 * 1024**2 + 1024**2 // 4, "5.25 MB"),
    (3 * 1024**3, "3.00 GB"),
    (2 * 1024**4, "2.00 TB"),
    (1024**6, "1024.00 PB"),
])
def test_readable_memory_size_units(num_bytes, expected):
    assert readable_memory_size(num_bytes) == expected


def test_count_params_and_memory_size_of_tensors():
    kernel = torch.zeros(784, 100)
    half = torch.zeros(10, dtype=torch.float16)
    assert count_params([kernel, torch.zeros(100)]) == 78500
    # Shared weights are counted once; bytes follow each dtype.
    assert weight_memory_size([kernel, kernel, half]) == 784 * 100 * 4 + 10 * 2
    assert weight_memory_size([np.zeros(3, dtype=np.float64)]) == 24


@pytest.mark.parametrize("shape, expected", [
    ((None, 784), "(None, 784)"),
    ([None, 28, 28, 1], "(None, 28, 28, 1)"),
    ([(None, 10), (None, 5)], "[(None, 10), (None, 5)]"),
    ({"a": (None, 3)}, "(None, 3)"),
    ({"s": (None,), "m": (None, 3)}, "[(None, 3), (None)]"),
    ((None,), "(None)"),
])
def test_format_shape(shape, expected):
    assert format_shape(shape) == expected


def test_cell_width_counts_east_asian_characters_twice():
    assert cell_width("패션 MNIST") == 10
    assert cell_width("ｆｕｌｌ") == 8
    assert cell_width("e\u0301") == 1


def test_wide_character_layer_name_stays_aligned():
    rows = [("패션_층 (Dense)", "(None, 100)", 78500), ("output (Dense)", "(None, 10)", 1010)]
    lines = render_summary("m", rows, 79510, 0, 318040, 0, line_length=76).split("\n")
    assert lines[4] == "│ 패션_층 (Dense)" + " " * 17 + "│ (None, 100)            │        78,500 │"
    assert {cell_width(line) for line in lines[1:8]} == {76}


def test_long_name_wraps_at_words_and_crops_long_words():
    rows = [
        ("a_rather_long_layer_name (Dense)", "(None, 100)", 10),
        ("x" * 40 + " (Conv2D)", "(None, 26, 26, 32)", 320),
    ]
    lines = render_summary("m", rows, 330, 0, 1320, 0, line_length=76).split("\n")
    assert lines[4] == "│ a_rather_long_layer_name        │ (None, 100)            │            10 │"
    assert lines[5] == "│ (Dense)                         │                        │               │"
    assert lines[7] == "│ " + "x" * 30 + "… │ (None, 26, 26, 32)     │           320 │"
    assert lines[8].startswith("│ (Conv2D)  ")


def test_long_wide_name_crop_pads_half_cut_character():
    rows = [("가" * 20, "(None, 1)", 1)]
    line = render_summary("m", rows, 1, 0, 4, 0, line_length=76).split("\n")[4]
    # 31 cells available: 15 wide chars (30 cells) then the ellipsis.
    assert line.startswith("│ " + "가" * 15 + "… │")


def test_connected_to_column_for_functional_rows():
    rows = [
        ("input_layer (InputLayer)", "(None, 3)", 0, "-"),
        ("dense (Dense)", "(None, 2)", 8, ["input_layer[0][0]"]),
    ]
    text = render_summary("functional", rows, 8, 0, 32, 0, line_length=76)
    assert text.split("\n")[1:9] == [
        "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩",
        "│ input_layer         │ (None, 3)         │          0 │ -                 │",
        "│ (InputLayer)        │                   │            │                   │",
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤",
        "│ dense (Dense)       │ (None, 2)         │          8 │ input_layer[0][0] │",
        "└─────────────────────┴───────────────────┴────────────┴───────────────────┘",
    ]


def test_header_wraps_bottom_aligned_when_narrow():
    lines = render_summary("m", [], 0, 0, 0, 0, line_length=38).split("\n")
    assert lines[1:6] == [
        "┏━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┓",
        "┃                ┃ Output    ┃ Param ┃",
        "┃ Layer (type)   ┃ Shape     ┃     # ┃",
        "┡━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━┩",
        "└────────────────┴───────────┴───────┘",
    ]


def test_unbuilt_param_text_passes_through():
    line = render_summary("m", [("d (Dense)", "?", "0 (unbuilt)")], 0, 0, 0, 0,
                          line_length=76).split("\n")[4]
    assert line.endswith("│   0 (unbuilt) │")


def test_too_narrow_raises_value_error():
    with pytest.raises(ValueError, match="Insufficient console width to print summary"):
        render_summary("m", FASHION_ROWS, 0, 0, 0, 0, line_length=8)


def test_bad_row_length_raises_value_error():
    with pytest.raises(ValueError, match="Received a row of 2 elements"):
        render_summary("m", [("a", "b")], 0, 0, 0, 0, line_length=76)


def test_print_summary_passes_whole_text_to_print_fn(capsys):
    received = []
    print_summary("패션_MNIST_모델", FASHION_ROWS, 79510, 0, 318040, 0, line_length=76,
                  print_fn=received.append)
    # Keras 3 hands print_fn its rich capture, which ends with a newline.
    assert received == [FASHION_SUMMARY + "\n"]
    print_summary("패션_MNIST_모델", FASHION_ROWS, 79510, 0, 318040, 0, line_length=76)
    assert capsys.readouterr().out == FASHION_SUMMARY + "\n"


def test_module_exports():
    assert set(summary_utils.__all__) >= {"render_summary", "print_summary", "readable_memory_size"}
