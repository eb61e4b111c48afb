"""docs/export.md's example runs as printed, as a program of its own."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "export.md"


def test_the_export_guide_example_runs(tmp_path):
    (code,) = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    program = tmp_path / "export_example.py"
    program.write_text(code)
    run = subprocess.run([sys.executable, str(program)], check=False, capture_output=True,
                         text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Saved artifact at '") and lines[0].endswith("model.onnx'.")
    assert lines[1] == "[('pixels', ['batch', 28, 28, 1])]"
    assert lines[2].startswith("Saved PyTorch ExportedProgram at '")
    assert run.stderr == ""
