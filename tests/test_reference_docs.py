"""The generated reference documents are complete and up to date with the registry."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from flopscope import _reference
from flopscope._reference import (
    BLOCKED_PATH,
    OPERATIONS_PATH,
    REGENERATE,
    blocked_markdown,
    operations_markdown,
    public_name,
    withheld_names,
)
from flopscope.registry import REGISTRY, Category

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [(OPERATIONS_PATH, operations_markdown), (BLOCKED_PATH, blocked_markdown)]


@pytest.mark.parametrize("path, build", DOCUMENTS, ids=lambda v: getattr(v, "name", ""))
def test_committed_document_is_up_to_date(path: Path, build) -> None:
    committed_file = ROOT / path
    assert committed_file.is_file(), f"{path} is missing; generate it with:\n    {REGENERATE[path]}"
    committed = committed_file.read_text(encoding="utf-8")
    generated = build()
    if committed != generated:
        diff = list(difflib.unified_diff(
            committed.splitlines(), generated.splitlines(), "committed", "generated", lineterm="",
        ))
        shown = "\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else "")
        pytest.fail(
            f"{path} is out of date with the registry. Regenerate it from the repository "
            f"root with:\n\n    {REGENERATE[path]}\n\n(or `python -m flopscope._reference "
            f"--write` for every document). First differences:\n{shown}"
        )


def test_every_entry_has_a_row_in_the_operations_reference() -> None:
    text = operations_markdown()
    missing = [op.name for op in REGISTRY.values() if f"| `{op.name}` |" not in text]
    assert not missing, f"entries without a row: {missing}"


def test_every_blocked_and_withheld_name_is_listed_with_its_reason() -> None:
    text = blocked_markdown()
    for op in REGISTRY.values():
        if op.category is Category.BLOCKED:
            reason = op.notes.replace("|", "\\|")
            row = f"| `{public_name(op.module, op.attr)}` | {reason} |"
            assert row in text, f"{op.qualified_name} is not listed with its reason"
    for module in ("numpy", "numpy.random", "numpy.testing"):
        for name in withheld_names(module):
            assert f"`{public_name(module, name)}`" in text


def test_weights_column_reads_the_packaged_weights_file(tmp_path, monkeypatch) -> None:
    weights = tmp_path / "weights.json"
    weights.write_text(json.dumps({"weights": {"exp": 16.0, "reshape": 0.0}}))
    monkeypatch.setattr(_reference, "packaged_weights_path", lambda: weights)
    text = operations_markdown()
    assert "| `fnp.exp` | `exp` | counted_unary | numel(output) | 16 |" in text
    assert "| `fnp.reshape` | `reshape` | free | 0 | 0 |" in text
    assert "| `fnp.log` | `log` | counted_unary | numel(output) | 1 (default) |" in text


def test_command_line_prints_the_documents(capsys) -> None:
    assert _reference.main([]) == 0
    assert capsys.readouterr().out == operations_markdown()
    assert _reference.main(["blocked"]) == 0
    assert capsys.readouterr().out == blocked_markdown()
