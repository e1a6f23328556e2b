"""``flopscope.numpy.linalg``: the counted ``numpy.linalg`` surface, run on the server."""

from flopscope._remote.surface import bind_module as _bind_module

__getattr__, __dir__ = _bind_module("numpy.linalg", "flopscope.numpy.linalg", globals())
