"""Symmetry on the edges of a cost graph.

Nodes of a cost graph (``budget.graph``, a plan's graph) carry their call's
tags, among them ``symmetry`` (the result's) and ``symmetry_inputs``
(``{producer node id: symmetry}`` for the symmetric arrays the call consumed).
:func:`annotate_edges` copies the latter onto the edges, so an edge says what
symmetry the array flowing along it declared.
"""

from __future__ import annotations

from typing import Any

__all__ = ["annotate_edges"]


def annotate_edges(graph: Any) -> Any:
    """Set ``symmetry`` on every edge whose array was symmetric; returns ``graph``.

    >>> import flopscope as flops, flopscope.numpy as fnp
    >>> with flops.BudgetContext(flop_budget=10**6, quiet=True) as budget:
    ...     x = fnp.ones((4, 4))
    ...     g = fnp.einsum("ij,ik->jk", x, x)
    ...     h = fnp.exp(g)
    >>> graph = annotate_edges(budget.graph)
    >>> [graph.edges[e]["symmetry"] for e in graph.edges]
    ['S2{0,1}']
    """
    for producer, consumer in graph.edges:
        tags = graph.nodes[consumer].get("tags") or {}
        text = (tags.get("symmetry_inputs") or {}).get(producer)
        if text is not None:
            graph.edges[producer, consumer]["symmetry"] = text
    return graph
