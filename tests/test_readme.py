"""The README's Counting example prints what the README says it prints.

The example runs in a fresh process with the packaged weights (as a user
gets it), so re-calibrating without updating the README turns this red.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _counting_section() -> str:
    text = README.read_text()
    start = text.index("## Counting")
    return text[start:text.index("\n## ", start + 1)]


def _blocks(section: str) -> tuple[str, str]:
    """The section's Python example and the summary block after it."""
    code = re.search(r"```python\n(.*?)```", section, re.S)
    shown = re.search(r"```\n(flopscope FLOP Budget Summary.*?)```", section, re.S)
    assert code and shown, "README Counting section lost its example or its output"
    return code.group(1), shown.group(1)


def _run(code: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith("FLOPSCOPE_")}
    base.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.skipif(not README.is_file(), reason="README is not installed with the package")
def test_counting_example_prints_the_readme_summary() -> None:
    code, shown = _blocks(_counting_section())
    actual = [line for line in _run(code).splitlines() if line.strip()]
    expected = [line for line in shown.splitlines() if line.strip() and line.strip() != "..."]
    # The shown lines are the head of the real output, in order (timings follow and vary).
    assert actual[:len(expected)] == expected


@pytest.mark.skipif(not README.is_file(), reason="README is not installed with the package")
def test_counting_example_analytical_figures() -> None:
    """The unweighted figures the prose quotes are the run's with weights disabled."""
    section = _counting_section()
    code, _ = _blocks(section)
    actual = _run(code, FLOPSCOPE_DISABLE_WEIGHTS="1")
    assert "Used:         984,321 (1.0%)" in actual
    for op, flops in [("random.randn", "327,936"), ("einsum", "327,680"),
                      ("multiply", "327,680"), ("maximum", "1,024")]:
        assert re.search(rf"^\s+{re.escape(op)}\s+{flops}\s", actual, re.M), op
        assert f"`{op}` {flops}" in section.replace("\n", " ")
