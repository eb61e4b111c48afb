"""Nothing in the repository names the shared folder beside it: a user's clone has none.

Only .ci/run may: CI reads the datasets and tutorials laid beside the project.
"""
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BESIDE = "../" + "shared"  # spelt in two parts so that this file does not name it


def test_no_file_but_ci_names_the_shared_folder_beside_the_project():
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if listing.returncode != 0:
        pytest.skip("not a git checkout: the tracked files are unknown")
    offenders = []
    for name in listing.stdout.decode().split("\0"):
        path = REPO / name
        if not name or name == ".ci/run" or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        offenders += [f"{name}:{number}" for number, line in enumerate(text.splitlines(), 1)
                      if BESIDE in line]
    assert offenders == [], "use LAMINA_DATASETS or /path/to/datasets instead"
