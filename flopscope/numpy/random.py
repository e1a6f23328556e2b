"""``flopscope.numpy.random``: counted random sampling, bit-identical to NumPy.

The module functions (``randn``, ``normal``, ``choice``...) draw from NumPy's
global state, so ``fnp.random.seed(s)`` and ``np.random.seed(s)`` are one and
the same; ``default_rng(seed)``, ``Generator(bit_generator)`` and
``RandomState(seed)`` give flopscope's counted generators. A draw costs one
FLOP per value, a permutation of n items n·⌈log2 n⌉; ``choice``,
``multivariate_normal`` and a few others add the documented work of their
algorithms (:mod:`flopscope.cost.random`). Bit generators and
``SeedSequence`` are NumPy's own classes.
"""

from flopscope.numpy._surface import populate as _populate
from flopscope.registry.random import Generator, RandomState
from flopscope.registry.random import sequence_shuffle as _sequence_shuffle

__all__ = _populate(globals(), "numpy.random", "flopscope.numpy.random") + [
    "Generator", "RandomState",
]

# A list passed to shuffle must be shuffled in the caller's own list object.
shuffle = _sequence_shuffle(globals()["shuffle"], method=False)
