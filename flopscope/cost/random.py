"""Random sampling costs.

SPEC.md section 2 (superseding the primer's "random is free"): a draw costs
one FLOP per value it produces, and permuting n items costs n·⌈log2 n⌉.

**What "one FLOP per value" covers.** A sampler spends a bounded amount of
arithmetic on each value it returns: the ziggurat step of ``standard_normal``,
the affine map ``loc + scale·z`` of ``normal``, the share of a row's
normalization in ``dirichlet`` (one add into the row sum, one scaling), the
conditional-probability update before each binomial of ``multinomial``.
That per-value work is the draw, and it is charged 1 (per-op weights, not the
analytical count, say how much a value of ``exp``-based ``lognormal`` costs
relative to ``random``). Work that grows with something *other* than the
number of values returned is charged on top, by its own formula below: a
factorization of a covariance matrix, a cumulative sum over a population, a
binary search of log2 n steps per value, a matrix product of n_dim terms per
value. The formulas follow what NumPy 2's samplers actually do.

Formulas (n: population or axis length; k: values drawn; d: dimension):

``sample_cost(shape)``
    numel(shape): every sampler whose values each take bounded work (all of
    ``normal``, ``integers``, ``dirichlet``, ``multinomial``...).
``permutation_cost(n, slices)``
    slices·n·⌈log2 n⌉: ``permutation``, ``shuffle``, and ``permuted`` (which
    permutes ``slices`` independent runs). Charged like the comparison sort
    that could produce the permutation (SPEC.md), although Fisher-Yates makes
    only n−1 draws.
``choice_cost(n, k, replace, weighted, legacy)``
    With replacement: k draws. With ``p`` (weighted): + 2n for the cumulative
    sum of ``p`` and its normalization (``cdf = p.cumsum(); cdf /= cdf[-1]``)
    + k⌈log2 n⌉ for the binary searches of the k uniforms in the cdf.
    Without replacement: ``Generator`` fills k positions of a random
    arrangement of the n items, k⌈log2 n⌉ at the permutation rate (k = n
    gives ``permutation_cost(n)``); legacy ``RandomState`` permutes all n items
    and keeps k (``permutation(n)[:k]``), n⌈log2 n⌉. Weighted without
    replacement: the weighted draw plus 2k⌈log2 k⌉ to remove duplicates
    (``np.unique`` sorts the k indices, then their first occurrences are
    sorted). NumPy repeats that round while duplicates remain; how often
    depends on the data, so the one round every call performs is charged.
``multivariate_normal_cost(n_dim, n_samples, method, check_valid)``
    k·d draws + k·d² for ``mean + z @ factor.T`` (one FMA per term; the mean
    starts the accumulator) + the factorization of ``cov`` NumPy redoes on
    every call, charged as the same ``fnp.linalg`` call, + its positive
    semi-definiteness check (see the function).
``multivariate_hypergeometric_cost(n_colors, n_variates, nsample, method)``
    ``marginals``: numel(output), one univariate hypergeometric draw per color;
    ``count``: numel(output) + variates·nsample, each variate drawing its
    nsample items one by one.
``bytes_cost(length)``
    ⌈length/4⌉: NumPy draws that many 32-bit integers and returns their bytes.

The output shape of a draw is ``size`` when given (an ``out=`` array's shape
when only it is given), else the broadcast shape of the distribution's array
parameters; samplers of vectors (``multinomial``, ``dirichlet``,
``multivariate_normal``, ``multivariate_hypergeometric``) append the
vector's length. :data:`SAMPLERS` describes each sampler by one row;
:func:`draw_shape` evaluates a row on a bound call.

Cost *rules* (``*_call_cost``, not exported) take a call's arguments as NumPy
does; :class:`Parameters` binds them to names without ``inspect`` at call time.
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from flopscope.cost._shapes import broadcast_shapes, ceil_log2, normalize_axis, numel, shape_of
from flopscope.cost.linalg import cholesky_cost, eigh_cost, svd_cost
from flopscope.cost.sorting import sort_cost

__all__ = [
    "sample_cost",
    "permutation_cost",
    "choice_cost",
    "multivariate_normal_cost",
    "multivariate_hypergeometric_cost",
    "bytes_cost",
    "SAMPLERS",
    "LEGACY_SAMPLERS",
    "Sampler",
    "Parameters",
    "draw_shape",
    "size_shape",
    "choice_population",
    "SAMPLING_FUNCTIONS",
]

Shape = tuple[int, ...]


# -- the formulas (cost queries) -----------------------------------------------------------


def sample_cost(shape: Shape) -> int:
    """Drawing an array of ``shape`` from a distribution: numel(shape).

    >>> sample_cost((256, 256))
    65536
    """
    return numel(tuple(operator.index(d) for d in shape))


def permutation_cost(n: int, slices: int = 1) -> int:
    """Permuting ``slices`` independent runs of ``n`` items: slices·n·⌈log2 n⌉.

    >>> permutation_cost(1024)
    10240
    >>> permutation_cost(8, slices=3)    # permuted(x of shape (3, 8), axis=1)
    72
    """
    return sort_cost(operator.index(n), operator.index(slices))


def choice_cost(n: int, k: int, *, replace: bool = True, weighted: bool = False,
                legacy: bool = False) -> int:
    """Choosing ``k`` of ``n`` items (``choice(n, size=k, replace=..., p=...)``).

    ``weighted`` means ``p`` was given; ``legacy`` selects ``RandomState`` /
    ``numpy.random.choice``, which draws without replacement by permuting the
    whole population. Derivation in the module docstring.

    >>> choice_cost(1000, 10)                                # 10 draws
    10
    >>> choice_cost(1000, 10, weighted=True)                 # 2·1000 + 10 + 10·10
    2110
    >>> choice_cost(1000, 10, replace=False)                 # 10·⌈log2 1000⌉
    100
    >>> choice_cost(1000, 10, replace=False, legacy=True)    # 1000·10
    10000
    >>> choice_cost(1000, 10, replace=False, weighted=True)  # 2110 + 2·10·4
    2190
    """
    n, k = operator.index(n), operator.index(k)
    if weighted:
        cost = 2 * n + k + k * ceil_log2(n)
        return cost if replace else cost + 2 * sort_cost(k)
    if replace:
        return k
    return permutation_cost(n) if legacy else k * ceil_log2(n)


#: Cost of turning a d×d covariance into the factor A with cov = A·Aᵀ, per method:
#: the decomposition NumPy calls, charged exactly as the same ``fnp.linalg`` call
#: (``svd(cov)`` with NumPy's default full U and V, ``eigh(cov)``,
#: ``cholesky(cov)``), plus scaling the vectors by the square roots of the
#: spectrum (``u * np.sqrt(s)``: d roots, d² products; eigh also takes the d
#: absolute values first). The Cholesky factor is used as it is.
_FACTOR_COSTS: dict[str, Callable[[int], int]] = {
    "svd": lambda d: svd_cost(d, d) + d + d * d,
    "eigh": lambda d: eigh_cost(d) + 2 * d + d * d,
    "cholesky": lambda d: cholesky_cost(d),
}

#: Cost of the positive-semidefiniteness check NumPy runs unless check_valid='ignore'.
#: svd: rebuild ``np.dot(vh.T * s, vh)`` (d² scalings + d³ multiply-adds) and
#: compare it with cov (``np.allclose``: d², one per compared element, as
#: flopscope charges comparisons); eigh: test the d eigenvalues against −tol;
#: cholesky: none (NumPy skips it: a failed factorization is the check).
_CHECK_COSTS: dict[str, Callable[[int], int]] = {
    "svd": lambda d: d**3 + 2 * d * d,
    "eigh": lambda d: d,
    "cholesky": lambda d: 0,
}


def multivariate_normal_cost(n_dim: int, n_samples: int, method: str = "svd",
                             check_valid: str = "warn") -> int:
    """``multivariate_normal(mean, cov, size)`` with ``d = n_dim = len(mean)`` and
    ``k = n_samples = numel(size)`` (1 when size is None).

    cost = k·d (standard normal draws) + k·d² (``mean + z @ factor.T``)
    + factor(d) + check(d), where NumPy factorizes ``cov`` on every call:

    ========== ================================== ================
    method      factor(d)                          check(d)
    ========== ================================== ================
    svd         svd_cost(d, d) + d + d²            d³ + 2d²
    eigh        eigh_cost(d) + 2d + d²             d
    cholesky    cholesky_cost(d)                   0
    ========== ================================== ================

    The decompositions are charged as the same ``fnp.linalg`` calls
    (:mod:`flopscope.cost.linalg`); check(d) is 0 when ``check_valid='ignore'``.
    Legacy ``RandomState.multivariate_normal`` always uses ``svd``.

    >>> multivariate_normal_cost(3, 100)   # 300 + 900 + (284 + 3 + 9) + (27 + 18)
    1541
    >>> multivariate_normal_cost(3, 100, method="cholesky")   # 300 + 900 + 5
    1205
    """
    d, k = operator.index(n_dim), operator.index(n_samples)
    if method not in _FACTOR_COSTS:
        raise ValueError("method must be one of {'eigh', 'svd', 'cholesky'}")
    check = 0 if check_valid == "ignore" else _CHECK_COSTS[method](d)
    return k * d + k * d * d + _FACTOR_COSTS[method](d) + check


def multivariate_hypergeometric_cost(n_colors: int, n_variates: int, nsample: int,
                                     method: str = "marginals") -> int:
    """``multivariate_hypergeometric(colors, nsample, size, method)``.

    ``marginals``: one univariate hypergeometric draw per color and variate,
    n_variates·n_colors. ``count``: additionally draws each variate's
    ``nsample`` items one at a time (a partial shuffle of the population),
    n_variates·(n_colors + nsample).

    >>> multivariate_hypergeometric_cost(3, 10, 5)
    30
    >>> multivariate_hypergeometric_cost(3, 10, 5, method="count")
    80
    """
    n_colors, n_variates, nsample = (operator.index(v) for v in (n_colors, n_variates, nsample))
    if method == "marginals":
        return n_variates * n_colors
    if method == "count":
        return n_variates * (n_colors + nsample)
    raise ValueError('method must be "count" or "marginals".')


def bytes_cost(length: int) -> int:
    """``bytes(length)``: ⌈length/4⌉ 32-bit integers drawn.

    >>> bytes_cost(10)
    3
    """
    return max(0, -(-operator.index(length) // 4))


# -- which arguments shape a draw --------------------------------------------------------


@dataclass(frozen=True)
class Sampler:
    """How a sampling function's arguments determine the shape and dtype of its draw.

    Attributes
    ----------
    params:
        Arguments that broadcast into the output shape when ``size`` is None.
    event:
        Argument whose last axis every draw appends (``pvals`` of
        ``multinomial``, ``alpha`` of ``dirichlet``...), or None.
    batched:
        The event argument's leading axes broadcast with ``params`` (only
        ``Generator.multinomial``); otherwise it must be 1-D.
    dtype:
        Result dtype when the call has no ``dtype`` argument.
    """

    params: tuple[str, ...] = ()
    event: str | None = None
    batched: bool = False
    dtype: str = "float64"


_I = "int64"

#: Every sampling function of ``numpy.random``, ``RandomState`` and ``Generator``
#: whose result is a draw shaped by its parameters (name -> row). The rows give
#: output shapes and dtypes; costs are numel(output) except where
#: ``_SPECIAL_CALL_COSTS`` adds the documented extras (``multivariate_normal``,
#: ``multivariate_hypergeometric``). Functions whose result is not such a draw
#: (``choice``, ``permutation``, ``shuffle``, ``permuted``, ``bytes``, ``rand``,
#: ``randn``) have their own cost and shape rules.
SAMPLERS: dict[str, Sampler] = {
    # continuous
    "beta": Sampler(("a", "b")),
    "chisquare": Sampler(("df",)),
    "exponential": Sampler(("scale",)),
    "f": Sampler(("dfnum", "dfden")),
    "gamma": Sampler(("shape", "scale")),
    "gumbel": Sampler(("loc", "scale")),
    "laplace": Sampler(("loc", "scale")),
    "logistic": Sampler(("loc", "scale")),
    "lognormal": Sampler(("mean", "sigma")),
    "noncentral_chisquare": Sampler(("df", "nonc")),
    "noncentral_f": Sampler(("dfnum", "dfden", "nonc")),
    "normal": Sampler(("loc", "scale")),
    "pareto": Sampler(("a",)),
    "power": Sampler(("a",)),
    "rayleigh": Sampler(("scale",)),
    "standard_cauchy": Sampler(),
    "standard_exponential": Sampler(),
    "standard_gamma": Sampler(("shape",)),
    "standard_normal": Sampler(),
    "standard_t": Sampler(("df",)),
    "triangular": Sampler(("left", "mode", "right")),
    "uniform": Sampler(("low", "high")),
    "vonmises": Sampler(("mu", "kappa")),
    "wald": Sampler(("mean", "scale")),
    "weibull": Sampler(("a",)),
    "random": Sampler(),
    "random_sample": Sampler(),
    "ranf": Sampler(),
    "sample": Sampler(),
    # discrete
    "binomial": Sampler(("n", "p"), dtype=_I),
    "geometric": Sampler(("p",), dtype=_I),
    "hypergeometric": Sampler(("ngood", "nbad", "nsample"), dtype=_I),
    "logseries": Sampler(("p",), dtype=_I),
    "negative_binomial": Sampler(("n", "p"), dtype=_I),
    "poisson": Sampler(("lam",), dtype=_I),
    "zipf": Sampler(("a",), dtype=_I),
    "integers": Sampler(("low", "high"), dtype=_I),
    "randint": Sampler(("low", "high"), dtype=_I),
    "random_integers": Sampler(("low", "high"), dtype=_I),
    "tomaxint": Sampler(dtype=_I),
    # vectors
    "dirichlet": Sampler(event="alpha"),
    "multinomial": Sampler(("n",), event="pvals", batched=True, dtype=_I),
    "multivariate_hypergeometric": Sampler(event="colors", dtype=_I),
    "multivariate_normal": Sampler(event="mean"),
}

#: Rows where legacy ``RandomState`` differs from ``Generator``: its
#: ``multinomial`` takes a scalar ``n`` and a 1-D ``pvals``.
LEGACY_SAMPLERS: dict[str, Sampler] = {
    **SAMPLERS,
    "multinomial": Sampler(event="pvals", dtype=_I),
}


def size_shape(size: Any) -> Shape:
    """The shape a ``size`` argument asks for (an int n means ``(n,)``)."""
    if hasattr(size, "__index__"):
        return (operator.index(size),)
    return tuple(operator.index(s) for s in size)


def _event_length(sampler: Sampler, call: Mapping[str, Any]) -> tuple[Shape, int]:
    """(batch shape, vector length) of the event argument."""
    event = shape_of(call[sampler.event])
    if not event:
        raise ValueError(f"{sampler.event} must have at least 1 dimension")
    if len(event) > 1 and not sampler.batched:
        raise ValueError(f"{sampler.event} must be 1-dimensional")
    return event[:-1], event[-1]


def draw_shape(sampler: Sampler, call: Mapping[str, Any]) -> Shape:
    """Output shape of a sampling call whose arguments are bound in ``call``.

    ``ValueError`` when the parameters do not broadcast (to ``size``, if given),
    as NumPy would raise.
    """
    size = call.get("size")
    out = call.get("out")
    shapes = [shape_of(call[p]) for p in sampler.params]
    vector: Shape = ()
    if sampler.event is not None:
        batch, length = _event_length(sampler, call)
        shapes.append(batch)
        vector = (length,)
    params = broadcast_shapes(*shapes) if shapes else ()
    if size is None and out is not None:
        size = shape_of(out)
    if size is None:
        return params + vector
    shape = size_shape(size)
    if params and broadcast_shapes(shape, params) != shape:
        raise ValueError(f"parameters of shape {params} cannot be broadcast to size {shape}")
    return shape + vector


# -- binding call arguments --------------------------------------------------------------


class Parameters:
    """A NumPy callable's parameter list, to bind calls to names cheaply.

    Built once from :func:`inspect.signature`; :meth:`bind` then costs a dict
    copy and a few lookups per call instead of ``Signature.bind``'s general
    machinery. With ``method=True`` the first positional argument (the
    generator object) is skipped.
    """

    __slots__ = ("name", "positional", "defaults", "var_positional", "method",
                 "_index", "_required")

    def __init__(self, name: str, positional: tuple[str, ...], keyword_only: tuple[str, ...] = (),
                 defaults: Mapping[str, Any] | None = None, var_positional: str | None = None,
                 method: bool = False) -> None:
        self.name = name
        self.positional = positional
        self.defaults = dict(defaults or {})
        self.var_positional = var_positional
        self.method = method
        # Every keyword accepted -> its position (keyword-only ones after all positions).
        self._index = {n: i for i, n in enumerate(positional + keyword_only)}
        self._required = tuple(n for n in positional + keyword_only if n not in self.defaults)

    @classmethod
    def of(cls, fn: Callable[..., Any], name: str, *, method: bool = False) -> Parameters:
        """The parameters of ``fn`` (a function or a bound method)."""
        positional: list[str] = []
        keyword_only: list[str] = []
        defaults: dict[str, Any] = {}
        var_positional = None
        for p in inspect.signature(fn).parameters.values():
            if p.kind is p.VAR_POSITIONAL:
                var_positional = p.name
            elif p.kind is p.KEYWORD_ONLY:
                keyword_only.append(p.name)
            elif p.kind is not p.VAR_KEYWORD:
                positional.append(p.name)
            if p.default is not p.empty:
                defaults[p.name] = p.default
        return cls(name, tuple(positional), tuple(keyword_only), defaults, var_positional, method)

    def bind(self, args: tuple, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments by name, defaults applied; ``TypeError`` as Python raises it."""
        if self.method:
            args = args[1:]
        call = self.defaults.copy()
        n = len(args)
        if self.var_positional is not None:
            call[self.var_positional] = args
            n = 0
        elif n > len(self.positional):
            raise TypeError(f"{self.name}() takes at most {len(self.positional)} positional "
                            f"arguments ({n} given)")
        else:
            for key, value in zip(self.positional, args):
                call[key] = value
        for key, value in kwargs.items():
            index = self._index.get(key)
            if index is None:
                raise TypeError(f"{self.name}() got an unexpected keyword argument {key!r}")
            if index < n:
                raise TypeError(f"{self.name}() got multiple values for argument {key!r}")
            call[key] = value
        for key in self._required:
            if key not in call:
                raise TypeError(f"{self.name}() missing required argument {key!r}")
        return call

    def __repr__(self) -> str:
        return f"Parameters({self.name}: {', '.join(self._index)})"


# -- cost rules: a bound call -> FLOPs -------------------------------------------------------


def _permutation_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    x = call["x"]
    if isinstance(x, (int, np.integer)):  # NumPy's test: permute arange(x)
        return permutation_cost(max(int(x), 0))
    shape = shape_of(x)
    if legacy and not shape:
        raise IndexError("x must be an integer or at least 1-dimensional")
    return permutation_cost(shape[normalize_axis(call.get("axis", 0), len(shape))])


def _shuffle_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    x = call["x"]
    if not hasattr(x, "shape") and hasattr(x, "__len__"):
        return permutation_cost(len(x))  # a mutable sequence: its items are permuted
    shape = shape_of(x)
    if not shape:
        raise TypeError("len() of unsized object")
    return permutation_cost(shape[normalize_axis(call.get("axis", 0), len(shape))])


def _permuted_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    shape = shape_of(call["x"])
    axis = call.get("axis")
    if axis is None:  # the flattened array is one run
        if not shape:
            raise TypeError("len() of unsized object")
        return permutation_cost(numel(shape))
    n = shape[normalize_axis(axis, len(shape))]
    return permutation_cost(n, numel(shape) // n if n else 0)


def choice_population(a: Any, axis: Any = 0, *, legacy: bool) -> int:
    """Population size of ``choice(a, ...)``: ``a`` if an integer, else its length along ``axis``."""
    shape = shape_of(a)
    if not shape:
        try:
            return operator.index(a.item() if hasattr(a, "item") else a)
        except TypeError:
            raise ValueError("a must be a sequence or an integer") from None
    if legacy and len(shape) != 1:
        raise ValueError("a must be 1-dimensional")
    return shape[normalize_axis(axis, len(shape))]


def _choice_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    n = choice_population(call["a"], call.get("axis", 0), legacy=legacy)
    size = call.get("size")
    k = 1 if size is None else numel(size_shape(size))
    if n <= 0 and k:
        raise ValueError("a must be a positive integer unless no samples are taken")
    return choice_cost(n, k, replace=bool(call.get("replace", True)),
                       weighted=call.get("p") is not None, legacy=legacy)


def _rows(call: Mapping[str, Any]) -> int:
    size = call.get("size")
    return 1 if size is None else numel(size_shape(size))


def _multivariate_normal_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    _, d = _event_length(SAMPLERS["multivariate_normal"], call)
    return multivariate_normal_cost(d, _rows(call), call.get("method", "svd"),
                                    call.get("check_valid", "warn"))


def _multivariate_hypergeometric_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    _, colors = _event_length(SAMPLERS["multivariate_hypergeometric"], call)
    return multivariate_hypergeometric_cost(colors, _rows(call), call["nsample"],
                                            call.get("method", "marginals"))


def _dims_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    return sample_cost(tuple(operator.index(d) for d in call["args"]))


def _bytes_call_cost(call: Mapping[str, Any], legacy: bool) -> int:
    return bytes_cost(call["length"])


#: Sampling functions with a cost other than numel(draw_shape).
_SPECIAL_CALL_COSTS: dict[str, Callable[[Mapping[str, Any], bool], int]] = {
    "permutation": _permutation_call_cost,
    "shuffle": _shuffle_call_cost,
    "permuted": _permuted_call_cost,
    "choice": _choice_call_cost,
    "multivariate_normal": _multivariate_normal_call_cost,
    "multivariate_hypergeometric": _multivariate_hypergeometric_call_cost,
    "rand": _dims_call_cost,
    "randn": _dims_call_cost,
    "bytes": _bytes_call_cost,
}

#: Names with a cost rule: the rows of SAMPLERS and the special functions.
SAMPLING_FUNCTIONS = frozenset(SAMPLERS) | frozenset(_SPECIAL_CALL_COSTS)


def sampling_call_cost(name: str, parameters: Parameters, *, legacy: bool) -> Callable[..., int]:
    """The cost rule of sampling function ``name``, taking the call's arguments as NumPy does.

    ``legacy`` selects ``RandomState`` semantics (module-level functions and
    ``RandomState`` methods) where they differ from ``Generator``'s.
    """
    bind = parameters.bind
    special = _SPECIAL_CALL_COSTS.get(name)
    if special is not None:
        def rule(*args: Any, **kwargs: Any) -> int:
            return special(bind(args, kwargs), legacy)
    else:
        sampler = (LEGACY_SAMPLERS if legacy else SAMPLERS)[name]

        def rule(*args: Any, **kwargs: Any) -> int:
            return numel(draw_shape(sampler, bind(args, kwargs)))

    rule.__name__ = f"{name}_call_cost"
    return rule
