"""Runs every docs/tutorials program and writes what it printed and drew into its page.

Each `NN_name.py` runs as a learner runs it, `python NN_name.py`, in an empty folder of its
own (so the files it saves land there, not in the repository). Every PNG it saved is copied
to `images/NN_<file name>`, and the block between `<!-- output -->` and `<!-- /output -->` in
`NN_name.md` is replaced by what it printed followed by those pictures. The pages therefore
never show output that the current code does not produce.

Usage:
    python docs/build_tutorials.py            # all tutorials
    python docs/build_tutorials.py 03 05      # only those whose names start so

A program whose dataset is not on this machine (and cannot be downloaded) is reported and
its page left as it was; the exit status is 1 when any page could not be rebuilt.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["build", "main", "replace_output"]

TUTORIALS = Path(__file__).resolve().parent / "tutorials"
START, END = "<!-- output -->", "<!-- /output -->"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def clean_output(text: str) -> str:
    """Printed text as a reader sees it: each progress-bar line at its last state, no colours.

    Example:
        >>> clean_output("1/3 [=>  ]\\r3/3 [===] done\\nnext  \\n")
        '3/3 [===] done\\nnext'
    """
    lines = [_ANSI.sub("", line).rsplit("\r", 1)[-1].rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def replace_output(page: str, output: str, note: str, pictures: list[str] = ()) -> str:
    """`page` with its output block replaced: `note`, `output` as code, then the `pictures`.

    Raises:
        ValueError: the page lacks the markers (or has them in the wrong order).

    Example:
        >>> replace_output("a\\n<!-- output -->\\nold\\n<!-- /output -->\\nb", "new", "(n)",
        ...                ["01_x.png"])
        'a\\n<!-- output -->\\n(n)\\n\\n```text\\nnew\\n```\\n\\n![01_x.png](images/01_x.png)\\n<!-- /output -->\\nb'
    """
    start, end = page.find(START), page.find(END)
    if start < 0 or end < start:
        raise ValueError(f"The page has no {START} ... {END} block for the program's output.")
    block = f"{START}\n{note}\n\n```text\n{output}\n```\n"
    block += "".join(f"\n![{name}](images/{name})\n" for name in pictures)
    return page[:start] + block + page[end:]


def _atomic_write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def build(program: Path, images: Path) -> tuple[str, str]:
    """Runs one program in a fresh folder; updates its page and pictures.

    Returns:
        ("built" | "no data" | "failed", a one-line account).
    """
    page = program.with_suffix(".md")
    with tempfile.TemporaryDirectory(prefix=f"{program.stem}-") as folder:
        started = time.perf_counter()
        # Bytes, not text: text mode would turn a progress bar's \r into line breaks.
        result = subprocess.run([sys.executable, str(program)], cwd=folder,
                                capture_output=True, check=False,
                                env={**os.environ, "MPLBACKEND": "Agg"})
        seconds = time.perf_counter() - started
        stdout = result.stdout.decode("utf-8", errors="replace")
        if result.returncode != 0:
            stderr = result.stderr.decode("utf-8", errors="replace")
            missing = "DatasetNotFoundError" in stderr
            account = f"exit status {result.returncode} after {seconds:.0f} s:\n"
            return ("no data" if missing else "failed", account + stderr[-3000:])
        prefix = program.stem[:2]
        for stale in images.glob(f"{prefix}_*.png"):
            stale.unlink()
        pictures = []
        for picture in sorted(Path(folder).glob("*.png")):
            pictures.append(f"{prefix}_{picture.name}")
            shutil.copyfile(picture, images / pictures[-1])
    import lamina

    note = (f"Printed by `python {program.name}` (lamina {lamina.__version__}, "
            f"{lamina.backend.get_device()}, {seconds:.0f} s), written here by "
            f"`python docs/build_tutorials.py`.")
    _atomic_write(page, replace_output(page.read_text(encoding="utf-8"),
                                       clean_output(stdout), note, pictures))
    return "built", f"{seconds:.0f} s, {len(pictures)} pictures"


def main(argv: list[str] | None = None) -> int:
    """Builds the chosen tutorials (all by default); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="name prefixes to build, e.g. 03 05")
    parser.add_argument("--folder", type=Path, default=TUTORIALS, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    programs = sorted(arguments.folder.glob("[0-9][0-9]_*.py"))
    if arguments.names:
        programs = [p for p in programs if p.stem.startswith(tuple(arguments.names))]
    if not programs:
        print(f"No tutorial programs match {arguments.names} in {arguments.folder}.")
        return 1
    images = arguments.folder / "images"
    images.mkdir(exist_ok=True)
    outcomes = []
    for program in programs:
        print(f"{program.name} ...", flush=True)
        status, account = build(program, images)
        outcomes.append(status)
        print(f"{program.name}: {status}, {account}", flush=True)
    return 0 if all(status == "built" for status in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
