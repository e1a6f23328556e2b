"""``flops.stats``: counted SciPy distributions, evaluated on the server.

``flops.stats.norm.pdf(x, loc=0, scale=1)`` is charged as in-process and
returns a flopscope array handle.
"""

from flopscope._remote.surface import bind_module as _bind_module

__getattr__, __dir__ = _bind_module("flopscope.stats", "flopscope.stats", globals())
