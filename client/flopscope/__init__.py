"""flopscope-client: the flopscope API, run on a flopscope server.

Installed instead of the ``flopscope`` library (not beside it), this package
is imported the same way::

    import flopscope as flops
    import flopscope.numpy as fnp

    with flops.BudgetContext(flop_budget=10**6) as budget:
        a = fnp.ones((100, 100))
        b = a @ a                      # 1,000,000 FLOPs, counted by the server
    budget.flops_used                  # 1000000

Every call is sent to a server (``flopscope-server``) over ZeroMQ; arrays,
budgets and the count stay there, so code in this process cannot tamper
with them. The server is found at ``$FLOPSCOPE_SERVER`` (default
``tcp://127.0.0.1:15555``) when first needed, or wherever
:func:`connect` points. This package depends on pyzmq only, not NumPy.

Differences from the library, all forced by the process boundary, are
listed in ``docs/remote.md``: values come back only when asked for
(``x.tolist()``, ``float(x)``, printing), NumPy scalars come back as Python
numbers, Python callables cannot be sent, ``configure`` is the server's.
"""

__version__ = "0.1.0"

from importlib import import_module as _import_module

from flopscope import errors
from flopscope._remote import proxies as _proxies  # noqa: F401  (registers the proxy kinds)
from flopscope._remote.budget import (
    BudgetContext,
    budget_live,
    budget_summary,
    budget_summary_dict,
    configure,
    namespace,
)
from flopscope._remote.connection import connect, disconnect
from flopscope._remote.records import OpRecord
from flopscope._remote.surface import bind_module as _bind_module
from flopscope.errors import (
    BudgetExhaustedError,
    ConcretizationError,
    FlopscopeError,
    FlopscopeWarning,
    ProtocolError,
    ServerUnavailableError,
    SessionError,
    SymmetryError,
    SymmetryLossWarning,
    TimeExhaustedError,
    UnsupportedDtypeError,
    WeightsFileError,
)

accounting = _import_module(
    "flopscope.accounting"
)  # not ``from flopscope import``: see numpy/__init__
stats = _import_module("flopscope.stats")

__all__ = [
    "BudgetContext",
    "OpRecord",
    "namespace",
    "budget_summary",
    "budget_summary_dict",
    "budget_live",
    "configure",
    "accounting",
    "stats",
    "errors",
    "connect",
    "disconnect",
    "plan",
    "FlopscopeError",
    "BudgetExhaustedError",
    "TimeExhaustedError",
    "SymmetryError",
    "UnsupportedDtypeError",
    "ConcretizationError",
    "WeightsFileError",
    "FlopscopeWarning",
    "SymmetryLossWarning",
    "ServerUnavailableError",
    "ProtocolError",
    "SessionError",
]


def plan(fn: object, *args: object, **kwargs: object) -> None:
    """Not available in the client: a plan traces a Python function in the process holding it."""
    raise NotImplementedError(
        "flops.plan runs your function on abstract arrays inside the flopscope library's own "
        "process; flopscope-client cannot send a Python function to the server. Plan with the "
        "library installed, or ask for costs with the flops.accounting queries."
    )


# Cost queries (einsum_cost, svd_cost...) and other top-level functions the server offers.
__getattr__, __dir__ = _bind_module("flopscope", "flopscope", globals())
