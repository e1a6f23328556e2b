"""Cost queries: FLOPs from shapes and parameters, without executing anything.

These functions are the same formulas the executors charge, answered
directly. They never touch a budget and need no :class:`~flopscope.BudgetContext`::

    >>> import flopscope as flops
    >>> flops.accounting.einsum_cost('ij,jk->ik', shapes=[(256, 256), (256, 256)])
    16777216
    >>> flops.accounting.svd_cost(m=256, n=256, k=10)
    655360

All results are analytical (unweighted) FLOPs; :func:`weighted` applies the
active weight and a multiplier to any of them.
"""

from __future__ import annotations

from flopscope._weights import get_weight
from flopscope.cost import weighted_cost
from flopscope.cost.einsum import einsum_cost
from flopscope.cost.linalg import svd_cost
from flopscope.cost.pointwise import pointwise_cost
from flopscope.cost.reduction import reduction_cost
from flopscope.cost.sorting import sort_cost

__all__ = ["einsum_cost", "pointwise_cost", "reduction_cost", "svd_cost", "sort_cost", "weighted"]


def weighted(op_name: str, analytical: int, flop_multiplier: float = 1.0) -> int:
    """What a budget would be charged for ``analytical`` FLOPs of ``op_name``.

    >>> weighted("add", 100)
    100
    """
    return weighted_cost(analytical, flop_multiplier, get_weight(op_name))
