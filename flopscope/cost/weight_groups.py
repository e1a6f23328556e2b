"""Weight groups: callables that compute the same thing share one weight.

SPEC.md section 3: *a weight belongs to a computation, not to a spelling*.
``a @ b``, ``fnp.dot(a, b)`` and ``fnp.einsum('ij,jk->ik', a, b)`` compute the
same values with the same analytical formula, so they must be charged the
same; otherwise a score depends on how code is written and users learn to
game it.

This module is the one table that says which operation names (registry
names, the names in logs and weights files) form such a group. Every counted
operation not listed here is a group of its own. For each group:

* ``reference`` is the member whose NumPy kernel is the fastest for the
  computation (BLAS ``matmul`` for contractions, the ``Generator`` ziggurat
  and bit-generator kernels for random draws, the canonical function for
  plain aliases). The calibration suite measures the group's weight on that
  member only, and every member is given it (``calibration/groups.py``);
* ``members`` are all the spellings, reference included.

The weights loader (:mod:`flopscope._weights`) also uses the table: a
weights file that lists only some members of a group gives the others the
reference's weight (or, without the reference, the one weight its listed
members agree on), so ``{"weights": {"matmul": 0.5}}`` weighs every
contraction 0.5. Groups are resolved when a table is loaded, never per call.

Adding a spelling to a group is adding its name to ``members`` below (for
example a ``special.<name>`` ufunc computing the same values as a
``stats.<dist>.cdf`` entry), or, for operations registered at run time,
calling :func:`register_group`. Method spellings (``x.sum()``) and NumPy's
own aliases (``fnp.abs`` is ``absolute``) are logged under their function's
name already and need no entry.

Pure data and functions: no imports from the rest of flopscope.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WeightGroup", "GROUPS", "group_of", "groups", "register_group"]


@dataclass(frozen=True)
class WeightGroup:
    """Operation names charged under one weight.

    Attributes
    ----------
    name:
        Group name (shown in the reference and the calibration report).
    reference:
        The member measured by the calibration: NumPy's fastest kernel for
        the computation.
    members:
        Every operation name of the group, ``reference`` included.
    computation:
        What every member computes, in words.
    """

    name: str
    reference: str
    members: tuple[str, ...]
    computation: str

    def __post_init__(self) -> None:
        if self.reference not in self.members:
            raise ValueError(f"weight group {self.name!r}: reference {self.reference!r} "
                             "is not one of its members")
        if len(set(self.members)) != len(self.members):
            raise ValueError(f"weight group {self.name!r} lists a member twice")


def _random(name: str, reference: str, spellings: tuple[str, ...], computation: str,
            ) -> WeightGroup:
    """A random-sampling group: each spelling under ``random.``, ``RandomState`` and
    ``Generator`` as given (``"RS:"``/``"G:"`` prefixes select the class)."""
    def full(spelling: str) -> str:
        if spelling.startswith("RS:"):
            return "random.RandomState." + spelling[3:]
        if spelling.startswith("G:"):
            return "random.Generator." + spelling[2:]
        return "random." + spelling

    return WeightGroup(name, full(reference), tuple(full(s) for s in spellings), computation)


def _three(method: str) -> tuple[str, ...]:
    """``random.<m>``, ``RandomState.<m>`` and ``Generator.<m>``."""
    return (method, "RS:" + method, "G:" + method)


#: Distributions drawn the same way by the legacy functions, ``RandomState`` and
#: ``Generator`` (one group each, measured on ``Generator``'s kernel).
_SAME_NAME_DISTRIBUTIONS = (
    "beta", "binomial", "bytes", "chisquare", "choice", "dirichlet", "f", "geometric",
    "gumbel", "hypergeometric", "laplace", "logistic", "lognormal", "logseries",
    "multinomial", "multivariate_normal", "negative_binomial", "noncentral_chisquare",
    "noncentral_f", "pareto", "permutation", "poisson", "power", "rayleigh", "shuffle",
    "standard_cauchy", "standard_t", "triangular", "vonmises", "wald", "weibull", "zipf",
)

_BUILTIN: tuple[WeightGroup, ...] = (
    WeightGroup(
        "contraction", "matmul",
        ("matmul", "linalg.matmul", "dot", "vdot", "inner", "tensordot", "linalg.tensordot",
         "einsum", "linalg.multi_dot", "matvec", "vecmat", "vecdot", "linalg.vecdot"),
        "sums of products over shared indices (GEMM-, GEMV- and dot-shaped); every "
        "spelling is an einsum with the same analytical count (a contraction that sums "
        "over nothing -- an einsum with every index in its output, a matmul, dot or "
        "inner whose summed axis has size 1, tensordot(a, b, 0) -- is an elementwise "
        "product and is charged as 'product' below, through OpDef.extras['weight_name'])",
    ),
    WeightGroup(
        "product", "multiply", ("multiply", "outer", "linalg.outer", "kron"),
        "elementwise products, broadcast or not: outer(a, b) is a[:, None] * b[None, :] "
        "and kron a reshaped outer product, one multiplication per output element",
    ),
    _random("random.normal", "G:standard_normal",
            ("randn", "standard_normal", "normal", "RS:randn", "RS:standard_normal",
             "RS:normal", "G:standard_normal", "G:normal"),
            "normal (Gaussian) draws, standard or scaled"),
    _random("random.uniform", "G:random",
            ("rand", "random", "random_sample", "ranf", "sample", "uniform", "RS:rand",
             "RS:random", "RS:random_sample", "RS:uniform", "G:random", "G:uniform"),
            "uniform draws on [0, 1) or [low, high)"),
    _random("random.integers", "G:integers",
            ("randint", "random_integers", "RS:randint", "RS:random_integers", "RS:tomaxint",
             "G:integers"),
            "uniform integer draws"),
    _random("random.exponential", "G:standard_exponential",
            ("exponential", "standard_exponential", "RS:exponential",
             "RS:standard_exponential", "G:exponential", "G:standard_exponential"),
            "exponential draws"),
    _random("random.gamma", "G:standard_gamma",
            ("gamma", "standard_gamma", "RS:gamma", "RS:standard_gamma", "G:gamma",
             "G:standard_gamma"),
            "gamma draws"),
    *(_random(f"random.{d}", f"G:{d}", _three(d), f"{d.replace('_', ' ')} draws")
      for d in _SAME_NAME_DISTRIBUTIONS),
    WeightGroup("power", "power", ("power", "logspace"),
                "base ** x per element: logspace(a, b, n) is base ** linspace(a, b, n), "
                "one power per sample"),
    WeightGroup("max", "max", ("max", "amax"), "maximum along axes"),
    WeightGroup("min", "min", ("min", "amin"), "minimum along axes"),
    WeightGroup("round", "round", ("round", "around"), "rounding to given decimals"),
    WeightGroup("trunc", "trunc", ("trunc", "fix"), "rounding towards zero"),
    WeightGroup("degrees", "degrees", ("degrees", "rad2deg"), "radians to degrees"),
    WeightGroup("radians", "radians", ("radians", "deg2rad"), "degrees to radians"),
    WeightGroup("cumsum", "cumsum", ("cumsum", "cumulative_sum"), "running sums"),
    WeightGroup("cumprod", "cumprod", ("cumprod", "cumulative_prod"), "running products"),
    WeightGroup("sort", "sort", ("sort", "ndarray.sort"), "sorting (copy or in place)"),
    WeightGroup("partition", "partition", ("partition", "ndarray.partition"),
                "partial sorting (copy or in place)"),
    WeightGroup("trace", "trace", ("trace", "linalg.trace"), "sums of matrix diagonals"),
    WeightGroup("cross", "cross", ("cross", "linalg.cross"), "cross products of 3-vectors"),
)

#: Every group, by name.
GROUPS: dict[str, WeightGroup] = {}
#: Operation name -> its group (operations in no group are groups of their own).
_GROUP_OF: dict[str, WeightGroup] = {}


def register_group(group: WeightGroup) -> WeightGroup:
    """Add ``group`` to the table.

    Raises ``ValueError`` if its name is taken or one of its members already
    belongs to another group (an operation has exactly one weight).
    """
    if group.name in GROUPS:
        raise ValueError(f"weight group {group.name!r} already exists")
    taken = {m: _GROUP_OF[m].name for m in group.members if m in _GROUP_OF}
    if taken:
        raise ValueError(f"weight group {group.name!r}: members already grouped: {taken}")
    GROUPS[group.name] = group
    for member in group.members:
        _GROUP_OF[member] = group
    return group


for _group in _BUILTIN:
    register_group(_group)
del _group


def group_of(op_name: str) -> WeightGroup | None:
    """The group ``op_name`` belongs to, or ``None`` if it is a group of its own."""
    return _GROUP_OF.get(op_name)


def groups() -> tuple[WeightGroup, ...]:
    """Every group, in table order."""
    return tuple(GROUPS.values())
