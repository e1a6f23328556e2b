"""``flopscope.numpy.random``: the counted ``numpy.random`` surface, run on the server."""

from flopscope._remote.surface import bind_module as _bind_module

__getattr__, __dir__ = _bind_module("numpy.random", "flopscope.numpy.random", globals())
