"""pyproject.toml declares exactly the third-party packages that lamina's code imports."""
import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

REPO = Path(__file__).resolve().parents[1]
# Distribution names on PyPI that differ from the name they are imported by.
IMPORT_NAMES = {"scikit-learn": "sklearn", "pillow": "PIL", "cityhash": "farmhash"}


def third_party_imports(files) -> dict[str, bool]:
    """Top-level names that `files` import: name -> whether some file imports it at module level."""
    found = {}
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        module_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in {name.split(".")[0] for name in names}:
                if name not in sys.stdlib_module_names and name not in ("lamina", "__future__"):
                    found[name] = found.get(name, False) or id(node) in module_level
    return found


def import_names(requirements) -> set[str]:
    distributions = (re.match(r"[A-Za-z0-9_.-]+", r)[0] for r in requirements)
    return {IMPORT_NAMES.get(name, name) for name in distributions}


PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
REQUIRED = import_names(PROJECT["dependencies"])
EXTRAS = {name: import_names(group) for name, group in PROJECT["optional-dependencies"].items()}


def test_required_dependencies_are_the_packages_imported_at_module_level():
    imports = third_party_imports((REPO / "src" / "lamina").rglob("*.py"))
    assert REQUIRED == {name for name, at_module_level in imports.items() if at_module_level}
    assert set(imports) <= REQUIRED.union(*EXTRAS.values()), "an optional import needs an extra"


def test_test_extra_covers_what_the_tests_import():
    files = [*(REPO / "tests").rglob("*.py"), REPO / "conftest.py"]
    # Real Keras (and tf.keras 2, for legacy .h5 fixtures) is imported only by the scripts that
    # regenerate reference files, never by a test. A name that no installed distribution
    # provides is a module of the tests' own (saving_fixtures).
    provided = importlib.metadata.packages_distributions()
    imports = ({name for name in third_party_imports(files) if name in provided}
               - {"keras", "tensorflow", "tf_keras"})
    assert imports <= REQUIRED | EXTRAS["test"], sorted(imports - REQUIRED - EXTRAS["test"])
