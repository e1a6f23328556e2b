"""Random sampling: every public name of ``numpy.random``, classified.

``fnp.random`` mirrors ``numpy.random``:

* **sampling functions** (``randn``, ``normal``, ``choice``, ``shuffle``...)
  are counted (:mod:`flopscope.cost.random`: one FLOP per value drawn,
  permutations n·⌈log2 n⌉, and the documented extras of ``choice``,
  ``multivariate_normal``...). They draw from NumPy's own global
  ``RandomState``, so ``fnp.random.seed(0)`` and ``np.random.seed(0)`` set
  the same state and the draws are bit-identical;
* **state functions** (``seed``, ``get_state``, ``set_state``,
  ``get_bit_generator``, ``set_bit_generator``) and ``default_rng`` are free;
* ``test`` is blocked (:mod:`flopscope.registry.blocked`), and the
  submodules ``mtrand`` and ``bit_generator`` are withheld
  (:mod:`flopscope.registry.passthrough`);
* **bit generators** (``MT19937``, ``PCG64``, ``PCG64DXSM``, ``Philox``,
  ``SFC64``, ``BitGenerator``) and ``SeedSequence`` pass through unchanged
  (:mod:`flopscope.registry.passthrough`): they make seeds and raw bits, not
  arrays of samples;
* ``Generator`` and ``RandomState`` are flopscope's own counted classes
  (:class:`Generator`, :class:`RandomState`). Each wraps the NumPy object of
  the same name built on the same bit generator, so every method returns
  exactly NumPy's draws, and each method is a registry entry
  (``random.Generator.normal``, ``random.RandomState.normal``) charged by the
  same rules as the module functions. No NumPy ``Generator`` or
  ``RandomState`` is ever handed out through ``fnp``.

Which functions exist, and their signatures, come from NumPy itself; which
are counted and how comes from :data:`flopscope.cost.random.SAMPLERS` and the
special rules next to it. ``tests/test_random.py`` checks that every public
name of ``numpy.random``, ``Generator`` and ``RandomState`` is classified.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from flopscope.cost.random import SAMPLING_FUNCTIONS, Parameters, sampling_call_cost
from flopscope.exec.shapes.random import no_result, sampling_shape_rule, spawn_shape
from flopscope.registry._core import REGISTRY, Category, OpDef, register
from flopscope.registry.free import free_op

__all__ = [
    "Generator",
    "RandomState",
    "default_rng",
    "register_all",
    "install_generator_methods",
    "sequence_shuffle",
    "STATE_FUNCTIONS",
    "legacy_functions",
]

#: Module functions that read or set the global generator's state: free.
STATE_FUNCTIONS = ("seed", "get_state", "set_state", "get_bit_generator", "set_bit_generator")

#: State methods of ``RandomState``: free.
_RANDOM_STATE_STATE_METHODS = ("seed", "get_state", "set_state")

#: Reads of state return the real value even in a plan; writes do nothing there.
_STATE_READS = frozenset({"get_state", "get_bit_generator"})

#: Module functions that are aliases of a RandomState method, for their signature.
_SIGNATURE_ALIASES = {"ranf": "random_sample", "sample": "random_sample"}

#: Documented formula of each sampling function (default: numel(output)).
_FORMULAS = {
    "permutation": "n·⌈log2 n⌉",
    "shuffle": "n·⌈log2 n⌉",
    "permuted": "slices·n·⌈log2 n⌉ (n = length along axis)",
    "choice": "k; with p: 2n + k + k·⌈log2 n⌉; without replacement: k·⌈log2 n⌉ "
              "(legacy: n·⌈log2 n⌉), + 2k·⌈log2 k⌉ when also weighted",
    "multivariate_normal": "k·d + k·d² + factor(d) + check(d) (d = len(mean), k = numel(size))",
    "multivariate_hypergeometric": "numel(output) (method='count': + variates·nsample)",
    "bytes": "⌈length/4⌉",
    "rand": "d0·d1·…",
    "randn": "d0·d1·…",
}


def legacy_functions() -> list[str]:
    """Sampling functions of the ``numpy.random`` module flopscope counts."""
    return sorted(name for name in SAMPLING_FUNCTIONS if callable(getattr(np.random, name, None)))


def _methods(cls: type, names: Any) -> list[str]:
    return sorted(name for name in names if callable(getattr(cls, name, None)))


# -- the counted classes -------------------------------------------------------------------


class Generator:
    """A counted :class:`numpy.random.Generator`.

    ``Generator(bit_generator)`` wraps ``numpy.random.Generator(bit_generator)``:
    the same bit generator, hence the same draws as NumPy for the same seed.
    Every sampling method is charged as the registry entry
    ``random.Generator.<method>`` and returns ``fnp.ndarray`` where NumPy
    returns an array. ``spawn`` gives counted children; pickling keeps the
    bit generator's state.
    """

    __slots__ = ("_numpy",)

    def __init__(self, bit_generator: np.random.BitGenerator) -> None:
        self._numpy = np.random.Generator(bit_generator)

    @property
    def bit_generator(self) -> np.random.BitGenerator:
        """The bit generator (NumPy's own object: it makes raw bits, not samples)."""
        return self._numpy.bit_generator

    def __str__(self) -> str:
        return f"{type(self).__name__}({type(self.bit_generator).__name__})"

    def __repr__(self) -> str:
        return f"{self} at 0x{id(self):X}"

    def __reduce__(self) -> tuple:
        return type(self), (self.bit_generator,)


class RandomState:
    """A counted :class:`numpy.random.RandomState` (NumPy's legacy generator).

    ``RandomState(seed)`` wraps ``numpy.random.RandomState(seed)``: the same
    Mersenne Twister stream, hence bit-identical draws. Sampling methods are
    charged as the registry entries ``random.RandomState.<method>``;
    ``seed``, ``get_state`` and ``set_state`` are free.
    """

    __slots__ = ("_numpy",)

    def __init__(self, seed: Any = None) -> None:
        self._numpy = np.random.RandomState(seed)

    @classmethod
    def _adopt(cls, state: np.random.RandomState) -> RandomState:
        """A counted RandomState around an existing NumPy one (used by unpickling)."""
        self = cls.__new__(cls)
        self._numpy = state
        return self

    def __str__(self) -> str:
        return f"{type(self).__name__}({type(self._numpy._bit_generator).__name__})"

    def __repr__(self) -> str:
        return f"{self} at 0x{id(self):X}"

    def __reduce__(self) -> tuple:
        return type(self)._adopt, (self._numpy,)


for _cls in (Generator, RandomState):
    _cls.__module__ = "flopscope.numpy.random"


def default_rng(seed: Any = None) -> Generator:
    """A counted :class:`Generator`, seeded exactly as :func:`numpy.random.default_rng`.

    A flopscope Generator is returned as is (as NumPy returns a Generator); a
    NumPy Generator is wrapped around its own bit generator, so both share
    one stream.
    """
    if isinstance(seed, Generator):
        return seed
    if isinstance(seed, np.random.Generator):
        return Generator(seed.bit_generator)
    return Generator(np.random.default_rng(seed).bit_generator)


# -- entries -------------------------------------------------------------------------------


def _delegate(name: str) -> Callable[..., Any]:
    """Implementation of method ``name``: the wrapped NumPy object's own method."""

    def impl(owner: Generator | RandomState, *args: Any, **kwargs: Any) -> Any:
        return getattr(owner._numpy, name)(*args, **kwargs)

    impl.__name__ = name
    return impl


def _sampling_entry(prefix: str, module: str, name: str, impl: Callable[..., Any],
                    parameters: Parameters, numpy_func: Any, *, legacy: bool, notes: str) -> OpDef:
    return OpDef(
        f"{prefix}{name}", Category.CUSTOM, module, name, impl=impl,
        cost=sampling_call_cost(name, parameters, legacy=legacy),
        shape=sampling_shape_rule(name, parameters, legacy=legacy),
        formula=_FORMULAS.get(name, "numel(output)"), numpy_func=numpy_func, notes=notes,
    )


def _register_module_functions() -> None:
    notes = ("Draws from NumPy's global RandomState, bit-identical to numpy.random; "
             "derivation in flopscope.cost.random.")
    for name in legacy_functions():
        fn = getattr(np.random, name)
        signature_of = getattr(np.random, _SIGNATURE_ALIASES.get(name, name))
        register(_sampling_entry("random.", "numpy.random", name, fn,
                                 Parameters.of(signature_of, name), fn, legacy=True, notes=notes))
    for name in STATE_FUNCTIONS:
        fn = getattr(np.random, name)
        register(free_op(f"random.{name}", fn, fn if name in _STATE_READS else no_result,
                         module="numpy.random", attr=name,
                         notes="Reads or sets the global generator's state: no arithmetic."))
    register(free_op("random.default_rng", default_rng, default_rng, module="numpy.random",
                     attr="default_rng", numpy_func=np.random.default_rng,
                     notes="Returns a counted flopscope Generator seeded as NumPy's."))


def _register_methods(cls: type, numpy_cls: type, free: dict[str, Callable[..., Any]], *,
                      legacy: bool) -> None:
    prefix = f"random.{cls.__name__}."
    module = f"numpy.random.{cls.__name__}"
    # Signatures from bound methods of a throwaway instance: they exclude `self`.
    sample_instance = numpy_cls(np.random.PCG64(0)) if not legacy else numpy_cls(0)
    notes = (f"Method of the counted {cls.__name__}; bit-identical to "
             f"numpy.random.{cls.__name__}.")
    for name in _methods(numpy_cls, SAMPLING_FUNCTIONS):
        parameters = Parameters.of(getattr(sample_instance, name), name, method=True)
        register(_sampling_entry(prefix, module, name, _delegate(name), parameters,
                                 getattr(numpy_cls, name), legacy=legacy, notes=notes))
    for name, shape in free.items():
        register(free_op(f"{prefix}{name}", _delegate(name), shape, module=module, attr=name,
                         numpy_func=getattr(numpy_cls, name),
                         notes="State management: no arithmetic."))


def _spawn(owner: Generator, n_children: int) -> list[Generator]:
    """``Generator.spawn``: counted children, as NumPy's ``type(self)(child_bit_generator)``."""
    return [type(owner)(child) for child in owner.bit_generator.spawn(n_children)]


def _state_method_shapes() -> dict[str, Callable[..., Any]]:
    return {name: (_delegate(name) if name in _STATE_READS else no_result)
            for name in _RANDOM_STATE_STATE_METHODS}


def register_all() -> None:
    _register_module_functions()
    _register_methods(RandomState, np.random.RandomState, _state_method_shapes(), legacy=True)
    _register_methods(Generator, np.random.Generator, {}, legacy=False)
    register(free_op("random.Generator.spawn", _spawn, spawn_shape,
                     module="numpy.random.Generator", attr="spawn",
                     numpy_func=np.random.Generator.spawn,
                     notes="Independent counted child generators; no arithmetic."))


# -- installing the public methods ---------------------------------------------------------


def sequence_shuffle(counted: Callable[..., Any], *, method: bool) -> Callable[..., Any]:
    """``counted`` shuffle that also shuffles a Python list in place.

    The executor hands NumPy plain views of arrays, so arrays (flopscope's
    too) are shuffled in the caller's memory. A list holding arrays or lists
    would instead reach NumPy as a rebuilt copy and the caller's list would
    not change. So a list is shuffled through an index array: NumPy's
    shuffle makes the same draws and swaps for a list and for a 1-D array of
    its length, so applying the shuffled indices to the list gives exactly
    NumPy's result and leaves the generator in NumPy's state.
    """

    @functools.wraps(counted)
    def shuffle(*args: Any, **kwargs: Any) -> None:
        head, rest = (args[:1], args[1:]) if method else ((), args)
        x = rest[0] if rest else kwargs.get("x")
        axis = rest[1] if len(rest) > 1 else kwargs.get("axis", 0)
        if type(x) is not list or axis != 0:  # NumPy rejects axis != 0 for lists itself
            return counted(*args, **kwargs)
        order = np.arange(len(x))
        if rest:
            counted(*head, order, *rest[1:], **kwargs)
        else:
            counted(*head, **{**kwargs, "x": order})
        x[:] = [x[i] for i in order.tolist()]
        return None

    return shuffle


def install_generator_methods(build: Callable[[OpDef], Callable[..., Any]]) -> None:
    """Attach the counted methods to :class:`Generator` and :class:`RandomState`.

    Called once by the surface builder with its callable factory.
    """
    classes = {f"numpy.random.{cls.__name__}": cls for cls in (Generator, RandomState)}
    for op in REGISTRY.values():
        cls = classes.get(op.module)
        if cls is None or op.category is Category.BLOCKED:
            continue
        fn = build(op)
        if op.attr == "shuffle":
            fn = sequence_shuffle(fn, method=True)
        setattr(cls, op.attr, fn)
