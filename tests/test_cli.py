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
    for argv, expected in (
        (["plan", f"{model_file}:missing"], "no attribute 'missing'"),
        (["plan", "no_colon_here"], "expected module:function"),
        (["plan", f"{model_file}:layer", "--arg", "a,b"], "'a,b' is not a shape"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and expected in err and err.count("\n") == 1


USAGE_ERRORS = {
    "too few inputs": ["plan", "{model}:layer", "--arg", "3,4"],
    "too many inputs": ["plan", "{model}:layer", "--arg", "3,4", "--arg", "4,5", "--arg", "1"],
    "unknown keyword input": ["plan", "{model}:layer", "--arg", "3,4", "--kwarg", "q=4,5"],
    "unknown module": ["plan", "no_such_module_anywhere:f"],
    "unknown file": ["plan", "nowhere/missing.py:f"],
    "unknown function": ["plan", "{model}:nope"],
    "not callable": ["plan", "{model}:fnp"],
    "no command": [],
    "unknown command": ["draw"],
    "unknown option": ["plan", "{model}:layer", "--bogus"],
    "bad budget": ["plan", "{model}:layer", "--arg", "3,4", "--arg", "4,5", "--budget", "lots"],
}


@pytest.mark.parametrize("argv", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_every_usage_error_is_one_error_line_and_exit_2(argv, model_file, capsys):
    status = main([a.replace("{model}", str(model_file)) for a in argv])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("error: ")
    assert captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_version_and_help_name_the_console_script(capsys):
    import flopscope

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"flopscope {flopscope.__version__}"
    for argv in (["--help"], ["plan", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("usage: flopscope ")
        assert "python -m" not in text
        assert "``" not in text  # plain text, no reStructuredText markup


def test_console_script_is_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    data = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert data["project"]["scripts"]["flopscope"] == "flopscope.__main__:main"


def test_broken_pipe_exits_quietly(model_file):
    """``flopscope plan ... | head -n 2``: no traceback when the reader goes away."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "flopscope", "plan", f"{model_file}:layer", "--arg", "3,4",
         "--arg", "4,5", "--listing"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    reader_gone.stdout.close()  # nobody reads: the first write hits a closed pipe
    err = reader_gone.stderr.read().decode()
    reader_gone.stderr.close()
    reader_gone.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert reader_gone.returncode in (0, 1)


def test_plan_repr_pluralises():
    import flopscope as flops
    import flopscope.numpy as fnp

    one = flops.plan(lambda x: fnp.exp(x), (3,))
    two = flops.plan(lambda x: fnp.exp(fnp.exp(x)), (3,))
    assert "in 1 call;" in repr(one)
    assert "in 2 calls;" in repr(two)


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
