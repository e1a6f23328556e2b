"""Inputs for random sampling: ``numpy.random`` functions and sampler methods.

A draw of ``n`` values with fixed, typical parameters (:data:`PARAMETERS`) per
distribution. Methods of the counted sampler classes (``random.Generator.*``,
``random.RandomState.*``) are called on an instance of the flopscope class
(their registry ``impl`` takes it first). Shuffles and permutations take a
length-``n`` float vector. A sampling function whose distribution has no row
in :data:`PARAMETERS` gets no generator and is reported as skipped.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calibration.inputs.core import FIXED, Case, InputSpec, Maker
from calibration.inputs.ladders import DRAWS

__all__ = ["PARAMETERS", "random_spec"]

#: Distribution -> keyword parameters of one draw (``size`` is added).
PARAMETERS: dict[str, dict[str, Any]] = {
    "beta": {"a": 2.0, "b": 3.0},
    "binomial": {"n": 20, "p": 0.3},
    "chisquare": {"df": 3.0},
    "dirichlet": {"alpha": [1.0, 2.0, 3.0]},
    "exponential": {"scale": 1.0},
    "f": {"dfnum": 5.0, "dfden": 7.0},
    "gamma": {"shape": 2.0, "scale": 1.0},
    "geometric": {"p": 0.3},
    "gumbel": {"loc": 0.0, "scale": 1.0},
    "hypergeometric": {"ngood": 20, "nbad": 30, "nsample": 10},
    "laplace": {"loc": 0.0, "scale": 1.0},
    "logistic": {"loc": 0.0, "scale": 1.0},
    "lognormal": {"mean": 0.0, "sigma": 1.0},
    "logseries": {"p": 0.6},
    "multinomial": {"n": 20, "pvals": [0.2] * 5},
    "multivariate_hypergeometric": {"colors": [5, 10, 15], "nsample": 8},
    "multivariate_normal": {"mean": [0.0, 0.0, 0.0], "cov": np.eye(3).tolist()},
    "negative_binomial": {"n": 5, "p": 0.4},
    "noncentral_chisquare": {"df": 3.0, "nonc": 2.0},
    "noncentral_f": {"dfnum": 5.0, "dfden": 7.0, "nonc": 2.0},
    "normal": {"loc": 0.0, "scale": 1.0},
    "pareto": {"a": 3.0},
    "poisson": {"lam": 4.0},
    "power": {"a": 2.0},
    "rayleigh": {"scale": 1.0},
    "standard_cauchy": {},
    "standard_exponential": {},
    "standard_gamma": {"shape": 2.0},
    "standard_normal": {},
    "standard_t": {"df": 5.0},
    "triangular": {"left": 0.0, "mode": 1.0, "right": 3.0},
    "uniform": {"low": 0.0, "high": 1.0},
    "vonmises": {"mu": 0.0, "kappa": 2.0},
    "wald": {"mean": 1.0, "scale": 2.0},
    "weibull": {"a": 1.5},
    "zipf": {"a": 2.5},
    "random": {},
    "random_sample": {},
    "ranf": {},
    "sample": {},
    "randint": {"low": 0, "high": 1000},
    "random_integers": {"low": 1, "high": 1000},
    "integers": {"low": 0, "high": 1000},
    "tomaxint": {},
}

#: Functions whose arguments are not ``(params..., size=n)``: method -> args builder.
_SPECIAL: dict[str, Callable[[Maker], tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "rand": lambda mk: ((mk.n,), {}),
    "randn": lambda mk: ((mk.n,), {}),
    "permutation": lambda mk: ((mk.vec(),), {}),
    "shuffle": lambda mk: ((mk.vec(),), {}),
    "permuted": lambda mk: ((mk.vec(),), {}),
    "choice": lambda mk: ((mk.n,), {"size": mk.n}),
    "bytes": lambda mk: ((mk.n,), {}),
}


_SEED = 12_345


def _sampler(class_name: str) -> Any:
    """An instance of flopscope's counted sampler class ``class_name``, or ``None``."""
    from flopscope.registry import random as counted

    if class_name == "Generator":
        return counted.default_rng(_SEED)
    cls = getattr(counted, class_name, None)
    return cls(_SEED) if isinstance(cls, type) else None


def random_spec(name: str) -> InputSpec | None:
    """Spec for ``random.<fn>`` or ``random.<Sampler>.<method>``; ``None`` if unknown."""
    parts = name.split(".")
    if parts[0] != "random" or len(parts) not in (2, 3):
        return None
    method = parts[-1]
    if method in _SPECIAL:
        make_args = _SPECIAL[method]
    elif method in PARAMETERS:
        params = PARAMETERS[method]

        def make_args(mk: Maker) -> tuple[tuple[Any, ...], dict[str, Any]]:
            return (), {**params, "size": mk.n}
    else:
        return None
    owner = _sampler(parts[1]) if len(parts) == 3 else None
    if len(parts) == 3 and owner is None:
        return None

    def build(mk: Maker) -> Case:
        args, kwargs = make_args(mk)
        if owner is not None:
            args = (owner, *args)
        return Case(args, kwargs)

    uses_data = method in ("permutation", "shuffle", "permuted")
    return InputSpec(build, DRAWS, distributions=("uniform",) if uses_data else FIXED)
