"""``flopscope.numpy.testing``: the counted ``numpy.testing`` surface, run on the server."""

from flopscope._remote.surface import bind_module as _bind_module

__getattr__, __dir__ = _bind_module("numpy.testing", "flopscope.numpy.testing", globals())
