"""The Model docstring's example runs when pytest is given the source file itself.

With --import-mode=importlib, pytest once executed `src/lamina/models/model.py` a second time
as a copy of the module, whose `Model` was not the class `Functional` subclasses, so
`Model(inputs, outputs)` returned an uninitialised object ("'Functional' object has no
attribute 'built'"). The repository's conftest imports the module by name first.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("source", ["src/lamina/models/model.py",
                                    "src/lamina/models/functional.py"])
def test_doctests_pass_when_pytest_is_given_the_file(source):
    completed = subprocess.run(  # noqa: PLW1510 (the test reads the return code)
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", source, "--doctest-modules"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
