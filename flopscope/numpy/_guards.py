"""Refusing ``numpy.polynomial`` and ``numpy.matrix`` on flopscope arrays.

``numpy.matrix``: ``np.asmatrix(x)``, ``np.matrix(x)``, ``np.bmat`` and
``x.view(np.matrix)`` all make a matrix *view* of ``x``, and a matrix's ``*``
is a matrix product NumPy runs without consulting flopscope.
:func:`install_matrix_guard` makes ``numpy.matrix.__array_finalize__`` (which
NumPy calls for every new matrix, with the array it came from) refuse a
flopscope source with the ``AttributeError`` of the blocked ``asmatrix``. This
leaves ``fnp.ndarray`` itself untouched, so the executors' unwrapping stays
on NumPy's C ``view``.

``numpy.polynomial``:

``numpy.polynomial``'s functions (``chebfit``, ``polyval``, ``hermfit``...)
and classes (``Polynomial``, ``Chebyshev``...) are plain Python that first
converts its arguments with ``np.asarray`` / ``np.array``. For a subclass of
``numpy.ndarray`` that conversion happens inside NumPy's C code without any
override protocol, so the fitting and arithmetic that follow would run on
plain arrays, uncounted. There is no hook to count them, so flopscope refuses
them: :func:`install_polynomial_guards` wraps every public function of the
six basis modules and of ``polyutils``, and the entry points of the
polynomial classes (construction, evaluation, ``fit``, ``fromroots``,
arithmetic with an array operand), so that a call with a flopscope array
among its arguments raises ``TypeError`` before anything runs. Calls without
flopscope arrays behave exactly as before.

The counted alternatives are the legacy functions ``fnp.polyval``,
``polyfit``, ``polymul``, ``polyadd``, ``polysub``, ``polydiv``, ``polyder``,
``polyint``, ``poly``, ``roots`` (highest degree first), which
``np.polyval(x)`` and ``np.poly1d`` reach through ``__array_function__``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.util
import inspect
import sys
from typing import Any, Callable

from flopscope.exec.abstract import AbstractArray
from flopscope.exec.array import ndarray as FArray

__all__ = ["install_polynomial_guards", "guard_polynomial_on_import", "install_matrix_guard",
           "POLYNOMIAL_MODULES", "polynomial_refusal", "MATRIX_REFUSAL"]

#: Why numpy.matrix views of flopscope arrays (np.asmatrix, np.matrix...) are refused.
MATRIX_REFUSAL = (
    "numpy.asmatrix / numpy.matrix is blocked in flopscope: numpy.matrix arithmetic (where * "
    "is a matrix product) bypasses flopscope's count. Use 2-D fnp arrays with @ / "
    "fnp.matmul, and fnp.block to assemble blocks. (docs/blocked.md lists every blocked name.)"
)

POLYNOMIAL_MODULES = (
    "numpy.polynomial.polynomial",
    "numpy.polynomial.chebyshev",
    "numpy.polynomial.legendre",
    "numpy.polynomial.laguerre",
    "numpy.polynomial.hermite",
    "numpy.polynomial.hermite_e",
    "numpy.polynomial.polyutils",
)
_CLASS_METHODS = ("__init__", "__call__", "_get_coefficients")
_CLASS_CONSTRUCTORS = ("fit", "fromroots")
_installed = False


def _holds_flopscope_array(value: Any, depth: int = 0) -> bool:
    if isinstance(value, (FArray, AbstractArray)):
        return True
    if depth < 3 and isinstance(value, (list, tuple)):
        return any(_holds_flopscope_array(v, depth + 1) for v in value)
    return False


def polynomial_refusal(label: str) -> TypeError:
    """The error of a numpy.polynomial call on flopscope arrays."""
    return TypeError(
        f"{label} was called with a flopscope array, but numpy.polynomial converts its "
        "arguments to plain NumPy arrays inside NumPy's C code and would compute uncounted; "
        "nothing was run or charged. Use the counted functions fnp.polyval, polyfit, polymul, "
        "polyadd, polysub, polydiv, polyder, polyint, poly and roots on coefficient arrays "
        "(highest degree first), or convert explicitly with np.asarray(x) if the computation "
        "should not be counted."
    )


def _guard(fn: Callable[..., Any], label: str, method: bool = False) -> Callable[..., Any]:
    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if any(_holds_flopscope_array(a) for a in args) or any(
                _holds_flopscope_array(v) for v in kwargs.values()):
            if method and args:  # name the class: numpy.polynomial.Chebyshev.fit
                owner = args[0] if isinstance(args[0], type) else type(args[0])
                raise polynomial_refusal(f"numpy.polynomial.{owner.__name__}{label}")
            raise polynomial_refusal(label)
        return fn(*args, **kwargs)

    guarded.__flopscope_guard__ = fn  # type: ignore[attr-defined]
    return guarded


def install_polynomial_guards() -> None:
    """Wrap numpy.polynomial's public functions and class entry points (idempotent)."""
    global _installed
    if _installed:
        return
    for name in POLYNOMIAL_MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            fn = getattr(module, attr, None)
            if inspect.isfunction(fn) and not hasattr(fn, "__flopscope_guard__"):
                setattr(module, attr, _guard(fn, f"{name}.{attr}"))
    from numpy.polynomial._polybase import ABCPolyBase

    for attr in _CLASS_METHODS:
        fn = ABCPolyBase.__dict__[attr]
        label = {"__init__": "(...)", "__call__": "(...)(x)", "_get_coefficients": " arithmetic"}[attr]
        setattr(ABCPolyBase, attr, _guard(fn, label, method=True))
    for attr in _CLASS_CONSTRUCTORS:
        fn = ABCPolyBase.__dict__[attr].__func__
        setattr(ABCPolyBase, attr, classmethod(_guard(fn, f".{attr}", method=True)))
    _installed = True


class _GuardedLoader(importlib.abc.Loader):
    """Runs the real loader of ``numpy.polynomial``, then installs the guards."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        install_polynomial_guards()


class _PolynomialImportHook(importlib.abc.MetaPathFinder):
    """Installs the guards when ``numpy.polynomial`` is first imported.

    flopscope does not import ``numpy.polynomial`` itself (NumPy loads it
    lazily, on first use of ``np.polynomial``), so the guards wait for it.
    """

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "numpy.polynomial":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _GuardedLoader(spec.loader)
        return spec


def guard_polynomial_on_import() -> None:
    """Install the guards now if ``numpy.polynomial`` is loaded, else when it is imported."""
    if "numpy.polynomial" in sys.modules:
        install_polynomial_guards()
    elif not any(isinstance(f, _PolynomialImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _PolynomialImportHook())


def install_matrix_guard() -> None:
    """Refuse numpy.matrix views of flopscope arrays (idempotent)."""
    import numpy as np

    original = np.matrix.__array_finalize__
    if getattr(original, "__flopscope_guard__", None) is not None:
        return

    @functools.wraps(original)
    def __array_finalize__(self: Any, obj: Any) -> None:
        if isinstance(obj, FArray):
            raise AttributeError(MATRIX_REFUSAL)
        original(self, obj)

    __array_finalize__.__flopscope_guard__ = original  # type: ignore[attr-defined]
    np.matrix.__array_finalize__ = __array_finalize__
