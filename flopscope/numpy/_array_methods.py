"""Operators and methods of flopscope arrays, as tables over the registry.

``x + y`` must cost exactly what ``fnp.add(x, y)`` costs, ``x.sum()`` what
``fnp.sum(x)`` costs. Rather than hand-writing dozens of dunders, the tables
below name the registry callable behind each operator and method, and
:func:`array_methods` builds the functions installed on ``fnp.ndarray`` (and on
abstract arrays, for planning).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

__all__ = ["BINARY_OPERATORS", "UNARY_OPERATORS", "FUNCTION_METHODS", "array_methods"]

#: operator stem -> ufunc entry (``__add__``, ``__radd__`` and ``__iadd__`` are generated).
BINARY_OPERATORS = {
    "add": "add",
    "sub": "subtract",
    "mul": "multiply",
    "truediv": "divide",
    "floordiv": "floor_divide",
    "mod": "remainder",
    "pow": "power",
    "matmul": "matmul",
    "and": "bitwise_and",
    "or": "bitwise_or",
    "xor": "bitwise_xor",
    "lshift": "left_shift",
    "rshift": "right_shift",
}
#: comparisons: no reflected or in-place forms (Python reflects them itself).
COMPARISONS = {
    "lt": "less",
    "le": "less_equal",
    "gt": "greater",
    "ge": "greater_equal",
    "eq": "equal",
    "ne": "not_equal",
}
UNARY_OPERATORS = {"neg": "negative", "pos": "positive", "abs": "absolute", "invert": "invert"}

#: method -> entry of the function it mirrors, called as ``fn(self, *args, **kwargs)``.
FUNCTION_METHODS = {
    name: name
    for name in (
        "sum", "mean", "var", "std", "max", "min", "prod", "all", "any", "argmax", "argmin",
        "cumsum", "cumprod", "dot", "trace", "clip", "round", "searchsorted", "nonzero",
        "argsort", "argpartition", "choose",
    )
} | {"conj": "conjugate", "conjugate": "conjugate"}

#: free methods that copy or write: routed through their entries so results
#: (or the written array) keep their data-flow edges.
FREE_FUNCTION_METHODS = {name: name for name in ("take", "repeat", "put")}

#: method -> entry of a method-only callable (in-place or copying methods).
OWN_METHODS = {
    "sort": "ndarray.sort",
    "partition": "ndarray.partition",
    "copy": "ndarray.copy",
    "astype": "ndarray.astype",
    "flatten": "ndarray.flatten",
    "ravel": "ndarray.ravel",
}

#: Keywords NumPy's function takes but its method does not: ``np.std(x, correction=1)``
#: works, ``x.std(correction=1)`` is a TypeError in NumPy, and so in flopscope.
FUNCTION_ONLY_KEYWORDS = {"std": ("correction",), "var": ("correction",)}


def _method_refusing(fn: Callable[..., Any], name: str, refused: tuple[str, ...]) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        for keyword in refused:
            if keyword in kwargs:
                raise TypeError(f"_{name}() got an unexpected keyword argument {keyword!r}")
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    return method


def _binary(fn: Callable[..., Any]) -> tuple[Callable[..., Any], ...]:
    """``__op__``, ``__rop__``, ``__iop__`` for the callable of a binary ufunc.

    Ufunc callables built by the eager executor carry fast operator forms;
    others (test doubles) get generic ones following NumPy's deferral rule.
    """
    forward = getattr(fn, "forward", None)
    if forward is not None:
        return forward, fn.reflected, fn.in_place

    def generic_forward(self: Any, other: Any) -> Any:
        if getattr(type(other), "__array_ufunc__", False) is None:
            return NotImplemented
        return fn(self, other)

    def generic_reflected(self: Any, other: Any) -> Any:
        if getattr(type(other), "__array_ufunc__", False) is None:
            return NotImplemented
        return fn(other, self)

    def generic_in_place(self: Any, other: Any) -> Any:
        return fn(self, other, out=(self,))

    return generic_forward, generic_reflected, generic_in_place


def _unary(fn: Callable[..., Any]) -> Callable[..., Any]:
    fast = getattr(fn, "unary", None)
    if fast is not None:
        return fast

    def operator(self: Any) -> Any:
        return fn(self)

    return operator


def _compress_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    def compress(self: Any, condition: Any, axis: Any = None, out: Any = None) -> Any:
        return fn(condition, self, axis=axis, out=out)

    compress.__doc__ = fn.__doc__
    return compress


def array_methods(callables: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Operator dunders and methods built from ``callables`` (entry name -> callable).

    Names whose entry is not available are skipped, so the tables may name
    entries that a later family registers.
    """
    table: dict[str, Callable[..., Any]] = {}
    for stem, entry in BINARY_OPERATORS.items():
        fn = callables.get(entry)
        if fn is None:
            continue
        forward, reflected, in_place = _binary(fn)
        table[f"__{stem}__"] = forward
        table[f"__r{stem}__"] = reflected
        table[f"__i{stem}__"] = in_place
    divmod_fn = callables.get("divmod")
    if divmod_fn is not None:
        forward, reflected, _ = _binary(divmod_fn)
        table["__divmod__"] = forward
        table["__rdivmod__"] = reflected
    for stem, entry in COMPARISONS.items():
        fn = callables.get(entry)
        if fn is not None:
            table[f"__{stem}__"] = _binary(fn)[0]
    for stem, entry in UNARY_OPERATORS.items():
        fn = callables.get(entry)
        if fn is not None:
            table[f"__{stem}__"] = _unary(fn)
    for name, entry in {**FUNCTION_METHODS, **FREE_FUNCTION_METHODS, **OWN_METHODS}.items():
        fn = callables.get(entry)
        if fn is not None and name in FUNCTION_ONLY_KEYWORDS:
            table[name] = _method_refusing(fn, name, FUNCTION_ONLY_KEYWORDS[name])
        elif fn is not None:
            # The callable itself: ``x.sum(axis=0)`` calls ``fnp.sum(x, axis=0)``
            # with no extra frame, since functions bind ``self`` as first argument.
            table[name] = fn
    compress = callables.get("compress")
    if compress is not None:
        table["compress"] = _compress_method(compress)
    return table
