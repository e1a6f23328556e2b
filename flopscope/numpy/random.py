"""``flopscope.numpy.random``: counted random sampling, bit-identical to NumPy.

Legacy functions (``randn``, ``normal``...) draw from NumPy's global state;
``default_rng(seed)`` returns a counted :class:`Generator`. Each draw costs
numel(output); ``shuffle`` / ``permutation`` cost n·⌈log2 n⌉.
"""

from __future__ import annotations

from flopscope.numpy._surface import populate as _populate
from flopscope.registry.random import Generator

__all__ = _populate(globals(), "numpy.random", "flopscope.numpy.random") + ["Generator"]
