"""docs/build_tutorials.py: runs a program in an empty folder, writes its output and pictures
into the page's output block, and leaves the page alone when the program fails."""
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "build_tutorials.py"
spec = importlib.util.spec_from_file_location("build_tutorials", SCRIPT)
build_tutorials = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_tutorials)

PROGRAM = """
import os
import matplotlib.pyplot as plt
print("working in an empty folder:", os.listdir("."))
print("step 1/2\\rstep 2/2 done")
plt.plot([0, 1], [1, 0])
plt.savefig("line.png")
"""
PAGE = "# 07 Hello\n\nSome prose.\n\n<!-- output -->\nstale output\n<!-- /output -->\n\nMore.\n"


def test_builds_the_page_from_the_programs_output(tmp_path):
    (tmp_path / "07_hello.py").write_text(PROGRAM)
    (tmp_path / "07_hello.md").write_text(PAGE)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "07_gone.png").write_bytes(b"old picture")
    assert build_tutorials.main(["--folder", str(tmp_path)]) == 0
    page = (tmp_path / "07_hello.md").read_text()
    assert page.startswith("# 07 Hello\n\nSome prose.\n\n<!-- output -->\nPrinted by `python "
                           "07_hello.py` (lamina ")
    assert page.endswith("```text\nworking in an empty folder: []\nstep 2/2 done\n```\n\n"
                         "![07_line.png](images/07_line.png)\n<!-- /output -->\n\nMore.\n")
    assert "stale output" not in page
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == ["07_line.png"]
    assert (tmp_path / "images" / "07_line.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob("line.png"))  # saved in the program's own folder


def test_a_failing_program_leaves_its_page_and_says_why(tmp_path, capsys):
    (tmp_path / "07_broken.py").write_text("raise SystemExit('no luck')\n")
    (tmp_path / "07_broken.md").write_text(PAGE)
    assert build_tutorials.main(["--folder", str(tmp_path)]) == 1
    assert (tmp_path / "07_broken.md").read_text() == PAGE
    assert "07_broken.py: failed, exit status 1" in capsys.readouterr().out


def test_a_page_without_the_output_markers_is_refused():
    with pytest.raises(ValueError, match="The page has no <!-- output --> ... <!-- /output -->"):
        build_tutorials.replace_output("# no block\n", "text", "note")


def test_clean_output_keeps_the_last_state_of_each_progress_line():
    assert build_tutorials.clean_output("\x1b[1m1/2\x1b[0m\r2/2 ok  \nend\n") == "2/2 ok\nend"
