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
           "redirect_scipy_special_on_import", "SCIPY_REDIRECTS",
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
    """Runs a module's real loader, then an installer of guards."""

    def __init__(self, loader: Any, install: Callable[[], None]) -> None:
        self._loader = loader
        self._install = install

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        self._install()


class _ImportHook(importlib.abc.MetaPathFinder):
    """Runs ``install`` right after the module ``fullname`` is first imported.

    flopscope imports neither ``numpy.polynomial`` (NumPy loads it lazily, on
    first use of ``np.polynomial``) nor ``scipy.special`` (half a second), so
    their guards wait for the user's import.
    """

    def __init__(self, fullname: str, install: Callable[[], None]) -> None:
        self.fullname = fullname
        self.install = install

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.fullname:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _GuardedLoader(spec.loader, self.install)
        return spec


def _on_import(fullname: str, install: Callable[[], None]) -> None:
    if fullname in sys.modules:
        install()
    elif not any(isinstance(f, _ImportHook) and f.fullname == fullname for f in sys.meta_path):
        sys.meta_path.insert(0, _ImportHook(fullname, install))


def guard_polynomial_on_import() -> None:
    """Install the guards now if ``numpy.polynomial`` is loaded, else when it is imported."""
    _on_import("numpy.polynomial", install_polynomial_guards)


#: scipy.special functions that are plain Python (no override protocol reaches them) and
#: have a flops.special entry: called with a flopscope array, they are that entry.
SCIPY_REDIRECTS = ("logsumexp", "softmax", "log_softmax")


def install_scipy_special_redirects(callables: dict[str, Callable[..., Any]]) -> Callable[[], None]:
    """An installer routing ``scipy.special.logsumexp(x)`` & co. on flopscope arrays to flops.special.

    SciPy's versions convert their input with ``np.asarray`` (computing part or
    all of the result uncounted) or go through the array-API namespace, one
    counted step at a time; either way the charge would differ from
    ``flops.special.<name>``. Calls without flopscope arrays are SciPy's own.
    """

    def install() -> None:
        special = sys.modules.get("scipy.special")
        if special is None:
            return
        for name in SCIPY_REDIRECTS:
            original = getattr(special, name, None)
            if original is None or hasattr(original, "__flopscope_guard__"):
                continue
            counted = callables[f"special.{name}"]

            def redirect(*args: Any, __original: Any = original, __counted: Any = counted,
                         **kwargs: Any) -> Any:
                if any(_holds_flopscope_array(a) for a in args) or any(
                        _holds_flopscope_array(v) for v in kwargs.values()):
                    return __counted(*args, **kwargs)
                return __original(*args, **kwargs)

            functools.update_wrapper(redirect, original)
            redirect.__flopscope_guard__ = original  # type: ignore[attr-defined]
            setattr(special, name, redirect)

    return install


def redirect_scipy_special_on_import(callables: dict[str, Callable[..., Any]]) -> None:
    """Install the scipy.special redirects now if it is loaded, else when it is imported."""
    _on_import("scipy.special", install_scipy_special_redirects(callables))


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
