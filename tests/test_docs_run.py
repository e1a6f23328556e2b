"""Every code block of README.md and docs/ runs, under the default configuration, and
prints what its page shows (rules in tests/docs_runner.py; ``--update`` rewrites outputs)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docs_runner  # noqa: E402

PAGES = docs_runner.pages()


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(docs_runner.ROOT)) for p in PAGES])
def test_page_runs_as_shown(page: Path) -> None:
    result = docs_runner.run_page(page)
    assert not result.failures, "\n\n".join(result.failures)


def test_no_run_marks_are_rare_and_give_a_reason() -> None:
    marked = [(p, b) for p in PAGES for b in docs_runner.parse(p.read_text())
              if b.lang == "python" and b.no_run is not None]
    total = sum(1 for p in PAGES for b in docs_runner.parse(p.read_text()) if b.lang == "python")
    assert all(len(b.no_run) > 15 for _, b in marked), "a no-run mark must say why"
    assert len(marked) * 10 <= total, f"{len(marked)} of {total} python blocks are marked no-run"


def test_the_runner_catches_a_wrong_output(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(6 * 7)\n```\n\n```\n41\n```\n\n"
                    "```python\nraise ValueError('boom')\n```\n")
    result = docs_runner.run_page(page)
    assert result.ran == 2 and result.checked == 1
    assert len(result.failures) == 2
    assert "41" in result.failures[0] and "boom" in result.failures[1]


def test_the_runner_runs_under_packaged_weights(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nfrom flopscope import _weights\n"
                    "print(_weights.get_weight('exp') != 1.0)\n```\n\n```text\nTrue\n```\n")
    result = docs_runner.run_page(page)
    assert not result.failures, result.failures


def test_update_mode_rewrites_outputs_and_keeps_ellipses(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Intro.\n\n```python\nfor i in range(4):\n    print(i * 10)\n```\n\n"
                    "```\n0\n99\n...\n```\n\nEnd.\n")
    result = docs_runner.run_page(page)
    assert result.failures
    assert docs_runner.update_page(page, result)
    assert page.read_text() == ("Intro.\n\n```python\nfor i in range(4):\n    print(i * 10)\n```\n\n"
                                "```\n0\n10\n...\n```\n\nEnd.\n")
    assert not docs_runner.run_page(page).failures
