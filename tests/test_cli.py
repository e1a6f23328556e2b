"""``python -m flopscope plan``: summary on stdout, diagram on disk, exit status from the budget."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flopscope.__main__ import main, parse_input
from flopscope.exec.shapes import ArraySpec

MODEL = textwrap.dedent('''
    import flopscope.numpy as fnp

    def layer(x, w):
        return fnp.maximum(x @ w, 0)

    def scaled(x, *, scale):
        return x * scale.sum()

    class Model:
        @staticmethod
        def forward(x):
            return fnp.exp(x)

    def branchy(x):
        if x.sum() > 0:
            return x
        return -x
''')


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "mymodel.py"
    path.write_text(MODEL)
    return path


def test_parse_input():
    assert parse_input("256,256") == (256, 256)
    assert parse_input("256") == (256,)
    assert parse_input("()") == ()
    assert parse_input("3x4") == (3, 4)
    spec = parse_input("3,4:float32")
    assert isinstance(spec, ArraySpec) and spec.shape == (3, 4) and spec.dtype == "float32"


def test_plan_prints_the_summary_and_writes_dot(model_file, tmp_path, capsys):
    out = tmp_path / "plan.dot"
    status = main(["plan", f"{model_file}:layer", "--arg", "64,256", "--arg", "256,128",
                   "--out", str(out)])
    text = capsys.readouterr().out
    assert status == 0
    assert "flopscope Plan Summary: layer" in text
    assert f"{64 * 256 * 128 + 64 * 128:,}" in text
    assert "mymodel.py:5 in layer" in text
    assert f"wrote {out}" in text
    assert out.read_text().startswith("digraph")


def test_budget_sets_the_exit_status(model_file, capsys):
    args = ["plan", f"{model_file}:layer", "--arg", "64,256", "--arg", "256,128"]
    assert main([*args, "--budget", "1e8"]) == 0
    assert "Fits:         yes" in capsys.readouterr().out
    assert main([*args, "--budget", "1e6"]) == 1
    assert "a run would be refused at matmul" in capsys.readouterr().out


def test_keyword_inputs_dtypes_dotted_targets_and_listing(model_file, capsys):
    assert main(["plan", f"{model_file}:scaled", "--arg", "3,4:float32",
                 "--kwarg", "scale=5", "--listing"]) == 0
    text = capsys.readouterr().out
    assert "return  (3, 4) float64" in text  # NumPy 2: a float64 scalar promotes float32
    assert "%1 = sum(%scale)" in text
    assert main(["plan", f"{model_file}:Model.forward", "--arg", "7"]) == 0
    assert "return  (7,) float64" in capsys.readouterr().out


def test_module_targets_are_imported_from_the_working_directory(model_file, monkeypatch, capsys):
    monkeypatch.chdir(model_file.parent)
    monkeypatch.syspath_prepend(str(model_file.parent))
    assert main(["plan", "mymodel:layer", "--arg", "2,3", "--arg", "3,4"]) == 0
    assert "flopscope Plan Summary: layer" in capsys.readouterr().out


def test_errors_are_reported_without_a_traceback(model_file, capsys):
    assert main(["plan", f"{model_file}:branchy", "--arg", "3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ConcretizationError: bool()")
    assert "mymodel.py:16 in branchy" in err
    with pytest.raises(SystemExit, match="no attribute 'missing'"):
        main(["plan", f"{model_file}:missing"])
    with pytest.raises(SystemExit, match="expected module:function"):
        main(["plan", "no_colon_here"])
    with pytest.raises(SystemExit):
        main(["plan", f"{model_file}:layer", "--arg", "a,b"])  # argparse rejects the shape


def test_missing_graphviz_still_prints_the_summary(model_file, tmp_path, monkeypatch, capsys):
    from flopscope.trace import dot

    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    status = main(["plan", f"{model_file}:layer", "--arg", "2,3", "--arg", "3,4",
                   "--out", str(tmp_path / "plan.png")])
    captured = capsys.readouterr()
    assert status == 1
    assert "flopscope Plan Summary" in captured.out
    assert "Graphviz program 'dot'" in captured.err
    status = main(["plan", f"{model_file}:layer", "--arg", "2,3", "--arg", "3,4",
                   "--out", str(tmp_path / "plan.svg")])  # drawn without Graphviz
    assert status == 0 and "<svg" in (tmp_path / "plan.svg").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_module_entry_point_renders_svg(model_file, tmp_path):
    out = tmp_path / "plan.svg"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "flopscope", "plan", f"{model_file}:layer", "--arg", "256,256",
         "--arg", "256,256", "--budget", "1e8", "--out", str(out), "--group", "site"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "flopscope Plan Summary: layer" in done.stdout
    assert "<svg" in out.read_text()
