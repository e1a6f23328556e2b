"""Random sampling: legacy ``numpy.random`` functions and ``Generator`` methods.

Costs (:mod:`flopscope.cost.random`): one FLOP per value drawn; permuting or
shuffling n items n·⌈log2 n⌉. Results are bit-identical to NumPy's for the
same seed: the legacy functions draw from NumPy's own global ``RandomState``
(so ``fnp.random.seed(0)`` and ``np.random.seed(0)`` are the same state),
and ``fnp.random.default_rng(seed)`` wraps ``numpy.random.default_rng(seed)``.

Every distribution is described by one row of :data:`DISTRIBUTIONS`: which
arguments are its parameters (they broadcast into the output shape when no
``size`` is given) and which trailing axes a draw adds (``multinomial`` adds
one of length ``len(pvals)``). Cost and shape rules are generated from the
row, so adding a distribution is adding a row.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from flopscope.cost._shapes import numel, shape_of
from flopscope.cost.random import dims_call_cost, permutation_call_cost, sampled_shape
from flopscope.exec.shapes import ArraySpec, bind_arguments, spec_of
from flopscope.registry._core import Category, OpDef, register
from flopscope.registry.free import free_op

__all__ = ["DISTRIBUTIONS", "Generator", "register_all", "default_rng", "install_generator_methods"]


@dataclass(frozen=True)
class Distribution:
    """How a sampling function's arguments determine its output shape.

    ``params`` are the argument names that broadcast into the output shape;
    ``event`` names the argument whose last axis length is appended to every
    draw (``pvals`` for multinomial, ``mean`` for multivariate_normal), if any;
    ``dtype`` is the result dtype when not given by a ``dtype`` argument.
    """

    params: tuple[str, ...]
    event: str | None = None
    dtype: str = "float64"


_F = "float64"
_I = "int64"
#: name -> Distribution, for every sampling function of numpy.random / Generator.
DISTRIBUTIONS: dict[str, Distribution] = {
    "beta": Distribution(("a", "b")),
    "binomial": Distribution(("n", "p"), dtype=_I),
    "chisquare": Distribution(("df",)),
    "dirichlet": Distribution((), event="alpha"),
    "exponential": Distribution(("scale",)),
    "f": Distribution(("dfnum", "dfden")),
    "gamma": Distribution(("shape", "scale")),
    "geometric": Distribution(("p",), dtype=_I),
    "gumbel": Distribution(("loc", "scale")),
    "hypergeometric": Distribution(("ngood", "nbad", "nsample"), dtype=_I),
    "laplace": Distribution(("loc", "scale")),
    "logistic": Distribution(("loc", "scale")),
    "lognormal": Distribution(("mean", "sigma")),
    "logseries": Distribution(("p",), dtype=_I),
    "multinomial": Distribution(("n",), event="pvals", dtype=_I),
    "multivariate_hypergeometric": Distribution((), event="colors", dtype=_I),
    "negative_binomial": Distribution(("n", "p"), dtype=_I),
    "noncentral_chisquare": Distribution(("df", "nonc")),
    "noncentral_f": Distribution(("dfnum", "dfden", "nonc")),
    "normal": Distribution(("loc", "scale")),
    "pareto": Distribution(("a",)),
    "poisson": Distribution(("lam",), dtype=_I),
    "power": Distribution(("a",)),
    "rayleigh": Distribution(("scale",)),
    "standard_cauchy": Distribution(()),
    "standard_exponential": Distribution(()),
    "standard_gamma": Distribution(("shape",)),
    "standard_normal": Distribution(()),
    "standard_t": Distribution(("df",)),
    "triangular": Distribution(("left", "mode", "right")),
    "uniform": Distribution(("low", "high")),
    "vonmises": Distribution(("mu", "kappa")),
    "wald": Distribution(("mean", "scale")),
    "weibull": Distribution(("a",)),
    "zipf": Distribution(("a",), dtype=_I),
    "random": Distribution(()),
    "random_sample": Distribution(()),
    "ranf": Distribution(()),
    "sample": Distribution(()),
    "randint": Distribution(("low", "high"), dtype=_I),
    "random_integers": Distribution(("low", "high"), dtype=_I),
    "integers": Distribution(("low", "high"), dtype=_I),
    "multivariate_normal": Distribution((), event="mean"),
}


def _event_length(dist: Distribution, named: dict[str, Any]) -> tuple[int, ...]:
    if dist.event is None:
        return ()
    event = shape_of(named[dist.event])
    return (event[-1],) if event else ()


def _shape_of_draw(dist: Distribution, named: dict[str, Any]) -> tuple[int, ...]:
    size = named.get("size")
    out = named.get("out")
    if size is None and out is not None:
        return tuple(shape_of(out))
    params = tuple(named.get(p) for p in dist.params)
    return (*sampled_shape(params, size), *_event_length(dist, named))


def distribution_rules(
    name: str, signature_of: Callable[..., Any], skip_self: bool
) -> tuple[Callable[..., int], Callable[..., ArraySpec]]:
    """Cost and shape rules of sampling function ``name`` (signature from ``signature_of``)."""
    dist = DISTRIBUTIONS[name]
    sig = inspect.signature(signature_of)

    def named_args(args: tuple, kwargs: dict) -> dict[str, Any]:
        if skip_self:
            args = args[1:]
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound.arguments

    def cost(*args: Any, **kwargs: Any) -> int:
        return numel(_shape_of_draw(dist, named_args(args, kwargs)))

    def shape(*args: Any, **kwargs: Any) -> ArraySpec:
        named = named_args(args, kwargs)
        dtype = named.get("dtype") or dist.dtype
        if name in ("randint", "integers") and named.get("dtype") is None:
            dtype = _I
        return ArraySpec(_shape_of_draw(dist, named), np.dtype(dtype))

    return cost, shape


# -- legacy module-level functions -----------------------------------------------------


def _dims_shape(*dims: Any) -> ArraySpec:
    return ArraySpec(tuple(int(d) for d in dims), np.dtype(_F))


def _permutation_shape(x: Any, *rest: Any, **kwargs: Any) -> ArraySpec:
    if isinstance(x, (int, np.integer)):
        return ArraySpec((int(x),), np.dtype(_I))
    return spec_of(x)


def _shuffle_shape(x: Any, *rest: Any, **kwargs: Any) -> None:
    return None


def _choice_shape(a: Any, size: Any = None, replace: bool = True, p: Any = None, **kwargs: Any) -> ArraySpec:
    dtype = np.dtype(_I) if isinstance(a, (int, np.integer)) else spec_of(a).dtype
    if size is None:
        return ArraySpec((), dtype)
    return ArraySpec(sampled_shape((), size), dtype)


def _choice_cost(a: Any, size: Any = None, replace: bool = True, p: Any = None, **kwargs: Any) -> int:
    return numel(sampled_shape((), size))


def _bytes_cost(length: int) -> int:
    return int(length)


def _bytes_shape(length: int) -> ArraySpec:
    return ArraySpec((), np.dtype("S1"))


_LEGACY_SPECIAL: dict[str, tuple[Callable[..., int], Callable[..., Any], str]] = {
    "randn": (dims_call_cost, _dims_shape, "d0·d1·…"),
    "rand": (dims_call_cost, _dims_shape, "d0·d1·…"),
    "permutation": (permutation_call_cost, _permutation_shape, "n·⌈log2 n⌉"),
    "shuffle": (permutation_call_cost, _shuffle_shape, "n·⌈log2 n⌉"),
    "choice": (_choice_cost, _choice_shape, "numel(output)"),
    "bytes": (_bytes_cost, _bytes_shape, "length"),
}

_LEGACY_FREE = ("seed", "get_state", "set_state", "get_bit_generator", "set_bit_generator")


def _no_shape(*args: Any, **kwargs: Any) -> None:
    return None


def register_all() -> None:
    for name in sorted(set(DISTRIBUTIONS) | set(_LEGACY_SPECIAL)):
        fn = getattr(np.random, name, None)
        if fn is None or name == "integers":
            continue
        if name in _LEGACY_SPECIAL:
            cost, shape, formula = _LEGACY_SPECIAL[name]
        else:
            cost, shape = distribution_rules(name, fn, skip_self=False)
            formula = "numel(output)"
        register(OpDef(
            f"random.{name}", Category.CUSTOM, "numpy.random", name, impl=fn, cost=cost,
            shape=shape, formula=formula, numpy_func=fn,
            notes="Draws from NumPy's global RandomState: bit-identical to numpy.random.",
        ))
    for name in _LEGACY_FREE:
        fn = getattr(np.random, name)
        register(free_op(f"random.{name}", fn, _no_shape, module="numpy.random", attr=name,
                         notes="State management, no arithmetic."))
    register(free_op("random.default_rng", default_rng, _no_shape, module="numpy.random",
                     attr="default_rng", numpy_func=np.random.default_rng,
                     notes="Returns a flopscope Generator whose draws are counted."))
    _register_generator_methods()


# -- Generator ---------------------------------------------------------------------------

_GENERATOR_SPECIAL = {
    "permutation": (lambda gen, x, axis=0: permutation_call_cost(x, axis), "n·⌈log2 n⌉"),
    "shuffle": (lambda gen, x, axis=0: permutation_call_cost(x, axis), "n·⌈log2 n⌉"),
    "permuted": (lambda gen, x, axis=None, out=None:
                 permutation_call_cost(x, axis) if axis is not None
                 else permutation_call_cost(numel(shape_of(x))), "n·⌈log2 n⌉ per permuted slice"),
    "choice": (lambda gen, a, size=None, replace=True, p=None, axis=0, shuffle=True:
               numel(sampled_shape((), size)), "numel(output)"),
    "bytes": (lambda gen, length: int(length), "length"),
}


def _generator_method_impl(method: str) -> Callable[..., Any]:
    def impl(gen: Generator, *args: Any, **kwargs: Any) -> Any:
        return getattr(gen._numpy, method)(*args, **kwargs)

    impl.__name__ = method
    return impl


def _generator_special_shape(method: str) -> Callable[..., Any]:
    def shape(gen: Any, *args: Any, **kwargs: Any) -> Any:
        if method == "permutation":
            return _permutation_shape(*args, **kwargs)
        if method == "shuffle":
            return None
        if method == "permuted":
            return spec_of(args[0] if args else kwargs["x"])
        if method == "choice":
            named = bind_arguments(np.random.Generator.choice, (None, *args), kwargs)
            return _choice_shape(named["a"], named["size"])
        return _bytes_shape(*args, **kwargs)

    return shape


_GENERATOR_OPS: dict[str, OpDef] = {}


def _register_generator_methods() -> None:
    methods = [m for m in dir(np.random.Generator) if not m.startswith("_")
               and m not in ("bit_generator", "spawn")]
    for method in methods:
        numpy_method = getattr(np.random.Generator, method)
        if method in _GENERATOR_SPECIAL:
            cost, formula = _GENERATOR_SPECIAL[method]
            shape = _generator_special_shape(method)
        else:
            probe = getattr(np.random.default_rng(0), method)
            cost, shape = distribution_rules(method, probe, skip_self=True)
            formula = "numel(output)"
        op = register(OpDef(
            f"random.Generator.{method}", Category.CUSTOM, "numpy.random.Generator", method,
            impl=_generator_method_impl(method), cost=cost, shape=shape, formula=formula,
            numpy_func=numpy_method,
        ))
        _GENERATOR_OPS[method] = op


class Generator:
    """A counted :class:`numpy.random.Generator`.

    Wraps a NumPy Generator built from the same bit generator, so draws are
    bit-identical to NumPy's for the same seed; every sampling method is
    charged numel(output) (shuffles n·⌈log2 n⌉) and returns ``fnp.ndarray``.
    """

    __module__ = "flopscope.numpy.random"

    def __init__(self, bit_generator: np.random.BitGenerator) -> None:
        self._numpy = np.random.Generator(bit_generator)

    @property
    def bit_generator(self) -> np.random.BitGenerator:
        return self._numpy.bit_generator

    def spawn(self, n_children: int) -> list[Generator]:
        """Independent child generators, as :meth:`numpy.random.Generator.spawn`."""
        return [Generator(child.bit_generator) for child in self._numpy.spawn(n_children)]

    def __repr__(self) -> str:
        return f"Generator({type(self.bit_generator).__name__}) [flopscope, counted]"

    def __getstate__(self) -> dict[str, Any]:
        return {"bit_generator": self._numpy.bit_generator}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._numpy = np.random.Generator(state["bit_generator"])


def default_rng(seed: Any = None) -> Generator:
    """A counted :class:`Generator` seeded exactly as :func:`numpy.random.default_rng`."""
    if isinstance(seed, Generator):
        return seed
    return Generator(np.random.default_rng(seed).bit_generator)


def install_generator_methods(build: Callable[[OpDef], Callable[..., Any]]) -> None:
    """Attach the counted sampling methods to :class:`Generator` (called by the surface)."""
    for method, op in _GENERATOR_OPS.items():
        wrapper = build(op)
        setattr(Generator, method, wrapper)

