"""Completeness of the fnp surface, by enumeration of NumPy itself.

Every public name of ``numpy``, ``numpy.linalg``, ``numpy.fft``,
``numpy.random`` and ``numpy.testing`` in the *installed* NumPy must be, on
the matching flopscope module, exactly one of:

* a registry callable (counted with a category and formula, or free);
* a pass-through constant, type or type-only submodule, or a flopscope
  submodule / class;
* blocked or withheld: looking it up raises ``AttributeError`` whose message
  carries the recorded reason.

A NumPy upgrade that adds a function therefore fails here until someone
classifies it. The other tests check that no fnp attribute is one of NumPy's
own (uncounted) callables, that aliases resolve to one callable, and that
NumPy's function objects route to their entries when called on flopscope
arrays.
"""

from __future__ import annotations

import importlib
import types
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

import flopscope.numpy as fnp
from flopscope.exec.routing import BLOCKED as ROUTED_BLOCKED
from flopscope.exec.routing import FUNCTIONS, UFUNC_CALLS
from flopscope.registry import REGISTRY, Category
from flopscope.registry.passthrough import (
    PASSTHROUGH_MODULES,
    IndexHelper,
    passthrough_names,
    withheld_reason,
)

MODULES = ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.testing")


def public_module(module: str) -> types.ModuleType:
    """``flopscope.numpy.linalg`` for ``numpy.linalg``..."""
    return importlib.import_module("flopscope." + module)


def public_names(module: str) -> list[str]:
    """NumPy's public names of ``module``: ``dir()`` and ``__all__``, no underscores."""
    real = importlib.import_module(module)
    names = set(dir(real)) | set(getattr(real, "__all__", ()))
    return sorted(n for n in names if not n.startswith("_"))


def _blocked_entry(module: str, name: str) -> Any:
    for op in REGISTRY.values():
        if op.category is Category.BLOCKED and op.module == module and op.attr == name:
            return op
    return None


def classify(module: str, name: str) -> tuple[str, str]:
    """``(kind, detail)`` for ``module.name`` as flopscope exposes it.

    ``kind`` is ``counted_*`` / ``free`` (registry callable), ``passthrough``,
    ``flopscope`` (flopscope's own module or class), ``blocked``, ``withheld``,
    or ``UNCLASSIFIED`` with the reason in ``detail``.
    """
    public = public_module(module)
    real = importlib.import_module(module)
    try:
        value = getattr(public, name)
    except AttributeError as exc:
        message = str(exc)
        op = _blocked_entry(module, name)
        reason = op.notes if op is not None else withheld_reason(module, name)
        if reason is None:
            return "UNCLASSIFIED", f"no entry ({message})"
        if reason not in message:
            return "UNCLASSIFIED", f"blocked, but the error does not give the reason: {message}"
        return ("blocked" if op is not None else "withheld"), reason
    op = getattr(value, "__flopscope_op__", None)
    if op is not None:
        return op.category.value, op.name
    if isinstance(value, types.ModuleType):
        if value.__name__.startswith("flopscope."):
            return "flopscope", value.__name__
        if name in PASSTHROUGH_MODULES.get(module, ()):
            return "passthrough", value.__name__
        return "UNCLASSIFIED", f"NumPy's module {value.__name__} is exposed as it is"
    if getattr(value, "__module__", "").startswith("flopscope") and isinstance(value, type):
        return "flopscope", value.__qualname__
    if name in passthrough_names(module):
        if value is getattr(real, name) or isinstance(value, IndexHelper):
            if callable(value) and not isinstance(value, type):
                return "UNCLASSIFIED", "a NumPy callable passed through uncounted"
            return "passthrough", type(value).__name__
    return "UNCLASSIFIED", f"exposed as {value!r}, which is neither counted nor passed through"


@pytest.mark.parametrize("module", MODULES)
def test_every_public_numpy_name_is_classified(module: str) -> None:
    unclassified = [
        f"  {module}.{name}: {detail}"
        for name in public_names(module)
        for kind, detail in [classify(module, name)]
        if kind == "UNCLASSIFIED"
    ]
    assert not unclassified, (
        f"{len(unclassified)} public name(s) of {module} are not classified as counted, "
        "free, pass-through or blocked; register each (see docs/architecture.md):\n"
        + "\n".join(unclassified)
    )


@pytest.mark.parametrize("module", MODULES)
def test_no_fnp_attribute_is_an_uncounted_numpy_callable(module: str) -> None:
    public = public_module(module)
    escapes = []
    for name in dir(public):
        if name.startswith("_"):
            continue
        value = getattr(public, name)
        if not callable(value) or isinstance(value, type):
            continue
        if getattr(value, "__flopscope_op__", None) is not None:
            continue
        if getattr(value, "__module__", "") and value.__module__.startswith("flopscope"):
            continue  # flopscope's own helpers (namespace, budget_summary...)
        escapes.append(f"  {public.__name__}.{name} = {value!r}")
    assert not escapes, "NumPy callables reachable uncounted through fnp:\n" + "\n".join(escapes)


@pytest.mark.parametrize("module", MODULES)
def test_numpy_aliases_resolve_to_one_callable(module: str) -> None:
    real = importlib.import_module(module)
    public = public_module(module)
    groups: dict[int, list[str]] = defaultdict(list)
    for name in public_names(module):
        obj = getattr(real, name, None)
        if callable(obj) and not isinstance(obj, type):
            groups[id(obj)].append(name)
    mismatched = []
    for names in groups.values():
        if len(names) < 2:
            continue
        exposed = {n: getattr(public, n, None) for n in names}
        if len({id(v) for v in exposed.values()}) != 1:
            mismatched.append(f"  {module}: {', '.join(names)} are one NumPy object but not "
                              "one flopscope callable")
    assert not mismatched, "\n".join(mismatched)
    if module == "numpy":
        assert fnp.abs is fnp.absolute
        assert fnp.concat is fnp.concatenate


def _dispatched(obj: Any) -> bool:
    """Does NumPy hand calls of ``obj`` on flopscope arrays to ``__array_function__``?"""
    return type(obj).__name__ == "_ArrayFunctionDispatcher"


def test_every_registry_callable_routes() -> None:
    """``np.<f>(fnp_array)`` reaches flopscope for every entry NumPy dispatches."""
    unrouted = []
    for op in REGISTRY.values():
        if not op.module.startswith("numpy") or "." in op.attr or op.numpy_func is None:
            continue
        target = op.numpy_func
        if op.category is Category.BLOCKED:
            routed = ROUTED_BLOCKED.get(target) is op if _dispatched(target) else True
        elif isinstance(target, np.ufunc):
            routed = UFUNC_CALLS.get(target) is not None
        elif _dispatched(target):
            fn = FUNCTIONS.get(target)
            routed = fn is not None and fn.__flopscope_op__.numpy_func is target
        else:
            continue  # NumPy does not dispatch it: fnp.<name> is the only way in
        if not routed:
            unrouted.append(f"  {op.qualified_name} ({op.name})")
    assert not unrouted, "entries NumPy's protocols do not reach:\n" + "\n".join(unrouted)


def test_blocked_routing_raises_the_reason() -> None:
    """A blocked NumPy function called on a flopscope array raises, it does not run."""
    from flopscope.exec.routing import route_function

    checked = 0
    for target, op in ROUTED_BLOCKED.items():
        with pytest.raises(AttributeError, match="is blocked in flopscope") as info:
            route_function(target, (fnp.ndarray,), (), {})
        assert op.notes in str(info.value)
        checked += 1
    assert checked >= 10


def test_classification_detects_an_unclassified_name(monkeypatch) -> None:
    """The enumeration fails on a function NumPy adds and flopscope does not know."""

    def brand_new_function(x):  # pragma: no cover - never called
        return x

    monkeypatch.setattr(np, "brand_new_function", brand_new_function, raising=False)
    kind, detail = classify("numpy", "brand_new_function")
    assert kind == "UNCLASSIFIED"
    assert "flopscope has no cost rule" in detail


def test_constants_dtypes_and_type_helpers_pass_through() -> None:
    for name in ("pi", "e", "inf", "nan", "newaxis", "float32", "float64", "int64", "bool_",
                 "finfo", "iinfo", "dtype", "generic", "ndindex", "exceptions", "typing"):
        assert getattr(fnp, name) is getattr(np, name), name
        assert classify("numpy", name)[0] == "passthrough", name
    assert fnp.linalg.LinAlgError is np.linalg.LinAlgError
    assert type(fnp.r_).__name__ == "IndexHelper"  # returns flopscope arrays
    assert classify("numpy", "r_")[0] == "passthrough"


def test_building_the_surface_does_not_import_lazy_numpy_submodules() -> None:
    """Enumerating NumPy must not trigger its lazy imports (f2py, ma...: ~50 ms at import)."""
    import subprocess
    import sys

    code = ("import sys, flopscope, flopscope.numpy\n"
            "print(sorted(m for m in ('numpy.f2py', 'numpy.ma', 'numpy.polynomial', 'numpy.rec',"
            " 'numpy.ctypeslib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
