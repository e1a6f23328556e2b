"""flopscope: NumPy with analytical FLOP counting, budgets and dry-run plans.

``import flopscope as flops`` for budgets, cost queries and plans;
``import flopscope.numpy as fnp`` for the counted NumPy surface.

>>> import flopscope as flops
>>> import flopscope.numpy as fnp
>>> with flops.BudgetContext(flop_budget=10**6) as budget:
...     a = fnp.ones((100, 100))
...     b = a @ a                      # 100·100·100 = 1,000,000 FLOPs
>>> budget.flops_used
1000000
"""

from __future__ import annotations

from flopscope import accounting, errors
from flopscope._config import configure
from flopscope.accounting import einsum_cost, pointwise_cost, reduction_cost, svd_cost
from flopscope.budget.context import BudgetContext
from flopscope.budget.live import budget_live
from flopscope.budget.namespace import namespace
from flopscope.budget.session import session_summary as budget_summary
from flopscope.budget.session import session_summary_dict as budget_summary_dict
from flopscope.errors import (
    BudgetExhaustedError,
    ConcretizationError,
    FlopscopeError,
    FlopscopeWarning,
    NanInfWarning,
    SymmetryError,
    SymmetryLossWarning,
    TimeExhaustedError,
    UnsupportedDtypeError,
    GraphvizNotFoundError,
    WeightsFileError,
)
from flopscope.trace.record import OpRecord

import flopscope.numpy as _fnp  # noqa: E402  (builds the counted surface)
from flopscope import special, stats  # noqa: E402
from flopscope.registration import (  # noqa: E402
    counted,
    register_function,
    register_ufunc,
    unregister,
)
from flopscope.planning import Plan, plan, spec  # noqa: E402
from flopscope.trace.dot import save_graph  # noqa: E402
from flopscope.symmetry import (  # noqa: E402  (installs the symmetry pass)
    SymmetricTensor,
    SymmetryGroup,
    as_symmetric,
    einsum_accumulation_cost,
    is_symmetric,
    reduction_accumulation_cost,
    symmetrize,
)

__version__ = "0.1.0"

__all__ = [
    "BudgetContext",
    "Plan",
    "plan",
    "spec",
    "save_graph",
    "OpRecord",
    "namespace",
    "budget_summary",
    "budget_summary_dict",
    "budget_live",
    "configure",
    "accounting",
    "einsum_cost",
    "pointwise_cost",
    "reduction_cost",
    "svd_cost",
    "stats",
    "special",
    "counted",
    "register_function",
    "register_ufunc",
    "unregister",
    "errors",
    "FlopscopeError",
    "BudgetExhaustedError",
    "TimeExhaustedError",
    "SymmetryError",
    "UnsupportedDtypeError",
    "ConcretizationError",
    "WeightsFileError",
    "GraphvizNotFoundError",
    "FlopscopeWarning",
    "NanInfWarning",
    "SymmetryLossWarning",
    "SymmetricTensor",
    "SymmetryGroup",
    "as_symmetric",
    "is_symmetric",
    "symmetrize",
    "einsum_accumulation_cost",
    "reduction_accumulation_cost",
]

# The weights table may have been loaded (FLOPSCOPE_WEIGHTS_FILE) before the surface
# existed; its names are checked (unknown ones reported) now that they can be.
from flopscope import _weights as _weights_module  # noqa: E402

_weights_module.finish_import()
