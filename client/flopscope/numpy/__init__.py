"""``flopscope.numpy`` (``fnp``): the counted NumPy surface, run on the server.

Every function the server's library offers is available under its NumPy
name (``fnp.exp``, ``fnp.einsum``, ``fnp.linalg.svd``...); the list comes
from the server when the client connects, so operations added to the
library appear without a client release. Results are
:class:`fnp.ndarray <flopscope._remote.proxies.ndarray>` handles.
"""

from importlib import import_module as _import_module

from flopscope._remote.budget import budget_summary as _session_summary
from flopscope._remote.budget import budget_summary_dict, namespace
from flopscope._remote.index import index_exp, s_
from flopscope._remote.proxies import ndarray
from flopscope._remote.surface import bind_module as _bind_module

__getattr__, __dir__ = _bind_module("numpy", "flopscope.numpy", globals())


def budget_summary(by_namespace: bool = False) -> str:
    """Print and return the session's budget summary (same as ``flops.budget_summary``)."""
    text = _session_summary(by_namespace=by_namespace)
    print(text)
    return text


# Imported by name, not with ``from flopscope.numpy import ...``: that form probes this
# module's attributes first, and the module __getattr__ would connect to the server.
fft = _import_module("flopscope.numpy.fft")
linalg = _import_module("flopscope.numpy.linalg")
random = _import_module("flopscope.numpy.random")
testing = _import_module("flopscope.numpy.testing")

__all__ = [
    "ndarray",
    "namespace",
    "budget_summary",
    "budget_summary_dict",
    "s_",
    "index_exp",
    "fft",
    "linalg",
    "random",
    "testing",
]
