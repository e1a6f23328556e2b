"""Help and types: docstrings from the registry, generated ``.pyi`` stubs, mypy on examples/."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import numpy as np
import pytest

import flopscope.numpy as fnp
from flopscope import _stubs
from flopscope.numpy._surface import CALLABLES
from flopscope.registry import REGISTRY, Category

ROOT = Path(__file__).resolve().parents[1]


# -- docstrings -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_docstring_is_numpys_with_the_cost_prepended(name):
    fn = CALLABLES[name]
    op = REGISTRY[name]
    doc = fn.__doc__
    assert doc.startswith("flopscope cost: ")
    header = doc.split("\n\n", 1)[0]
    if op.category is Category.FREE:
        assert "free (0 FLOPs)" in header
    else:
        assert op.formula in header and repr(op.name) in header  # formula and weight name
    numpy_doc = op.numpy_func.__doc__ if op.numpy_func is not None else None
    if numpy_doc and op.module.startswith("numpy"):
        # NumPy's summary paragraph (importing SciPy rewrites a few NumPy docstrings
        # in place, e.g. sinc's examples, after fnp was built; the summary stays)
        assert inspect.cleandoc(numpy_doc).split("\n\n")[0] in doc
        assert len(doc) > len(header) + len(inspect.cleandoc(numpy_doc)) // 2


def test_help_of_einsum_is_numpys_full_help():
    """The issue: ``help(fnp.einsum)`` was 209 characters, NumPy's is ~14 KB."""
    assert len(fnp.einsum.__doc__) > len(inspect.cleandoc(np.einsum.__doc__))
    assert "Evaluates the Einstein summation convention" in fnp.einsum.__doc__
    assert "3+ operands" in fnp.einsum.__doc__  # flopscope's own note on its costed path


# -- stubs --------------------------------------------------------------------------------------


def test_checked_in_stubs_are_current():
    stale = [str(path.relative_to(ROOT)) for path, text in _stubs.generated().items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"regenerate with `python -m flopscope._stubs --write`: {stale}"


def test_stubs_cover_every_public_name():
    for module_name in _stubs.STUB_MODULES:
        module = __import__(module_name, fromlist=["_"])
        text = _stubs.stub_path(module_name).read_text()
        for name in module.__all__:
            if name in _stubs._PLATFORM_TYPES:
                continue
            assert (f"def {name}(" in text or f"\n{name}: " in text or f"\n{name} = " in text
                    or f" as {name}\n" in text or f"class {name}" in text), (module_name, name)


def test_stub_return_types_are_mostly_flopscope_arrays():
    text = _stubs.stub_path("flopscope.numpy").read_text()
    arrays = text.count("-> ndarray:") + text.count(": _Ufunc\n")
    loose = text.count("-> Any:")
    assert arrays > 3 * loose  # the issue: 358 of 363 returned Any or nothing
    assert "def exp(" not in text and "\nexp: _Ufunc\n" in text
    assert "def zeros(shape: Any, dtype: Any = ..., order: Any = ..., *, device: Any = ..., " \
           "like: Any = ...) -> ndarray: ..." in text
    assert "from flopscope.exec.array import ndarray as ndarray" in text


def test_probing_return_types_leaves_no_trace():
    state = np.random.get_state()
    assert _stubs.probe_return(fnp.random.seed) == "None"
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


# -- mypy -------------------------------------------------------------------------------------

USER_CODE = textwrap.dedent('''
    import flopscope as flops
    import flopscope.numpy as fnp

    def layer(x: fnp.ndarray, w: fnp.ndarray) -> fnp.ndarray:
        return fnp.maximum(fnp.einsum("ij,jk->ik", x, w), 0)

    x: fnp.ndarray = fnp.exp(fnp.ones((3, 4)))
    y: fnp.ndarray = layer(x, fnp.zeros((4, 2)))
    q, r = fnp.divmod(x, 2.0)
    total = fnp.add.reduce(x, axis=0)
    u, s, vt = fnp.linalg.svd(x)
    rng = fnp.random.default_rng(0)
    z = rng.normal(size=3)
    with flops.BudgetContext(flop_budget=10**6) as budget:
        fnp.sqrt(x, x)
    used: int = budget.flops_used
''')

MISTAKES = textwrap.dedent('''
    import flopscope.numpy as fnp

    a: str = fnp.exp(fnp.ones(3))
    fnp.no_such_function(1)
''')


def test_mypy_passes_on_examples_and_user_code(tmp_path):
    mypy_api = pytest.importorskip("mypy.api")
    good = tmp_path / "user_code.py"
    good.write_text(USER_CODE)
    bad = tmp_path / "mistakes.py"
    bad.write_text(MISTAKES)
    common = ["--config-file", str(ROOT / "pyproject.toml"),
              "--cache-dir", str(ROOT / ".mypy_cache")]
    out, err, status = mypy_api.run([*common, str(ROOT / "examples"), str(good)])
    assert status == 0, out + err
    out, err, status = mypy_api.run([*common, str(bad)])
    assert status == 1
    assert 'Incompatible types in assignment (expression has type "ndarray' in out
    assert 'has no attribute "no_such_function"' in out


def test_mypy_passes_on_the_docs_code(tmp_path):
    """Every page's Python blocks, as one module per page (blocks share a namespace when run)."""
    mypy_api = pytest.importorskip("mypy.api")
    import re
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import docs_runner
    finally:
        sys.path.pop(0)
    written = []
    for page in docs_runner.pages():
        blocks = [b for b in docs_runner.parse(page.read_text(encoding="utf-8"))
                  if b.lang == "python" and not b.no_run and not b.is_doctest]
        if blocks:
            name = re.sub(r"\W", "_", str(page.relative_to(ROOT)))
            path = tmp_path / f"{name}.py"
            path.write_text("\n\n".join(b.code for b in blocks) + "\n", encoding="utf-8")
            written.append(str(path))
    assert len(written) >= 10  # README and the guides
    out, err, status = mypy_api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                     "--cache-dir", str(ROOT / ".mypy_cache"), *written])
    assert status == 0, out + err
