"""Symmetry-aware costs: declared symmetry, equal operands, orbit-counted einsums.

* :class:`SymmetricTensor` (an ``fnp.ndarray`` carrying :class:`SymmetryGroup`
  objects) and :func:`as_symmetric` / :func:`is_symmetric` / :func:`symmetrize`
  (:mod:`~flopscope.symmetry.tensor`, :mod:`~flopscope.symmetry.api`);
* the counting behind every symmetric cost
  (:mod:`~flopscope.symmetry.counting`, :mod:`~flopscope.symmetry.contraction`);
* the propagation rules (:mod:`~flopscope.symmetry.propagation`);
* the pass the executors call (:mod:`~flopscope.symmetry.hook`), installed
  when this package is imported;
* ``fnp.einsum_path`` (:mod:`~flopscope.symmetry.path`) and the accumulation
  cost decompositions (:mod:`~flopscope.symmetry.accumulation`);
* symmetry labels for cost-graph edges (:mod:`~flopscope.symmetry.graph`).

The user guide is ``docs/symmetry.md``.
"""

from __future__ import annotations

from flopscope.symmetry.accumulation import (
    AccumulationCost,
    AccumulationStep,
    einsum_accumulation_cost,
    reduction_accumulation_cost,
)
from flopscope.symmetry.api import as_symmetric, is_symmetric, symmetrize
from flopscope.symmetry.counting import orbit_count, unique_elements
from flopscope.symmetry.graph import annotate_edges
from flopscope.symmetry.groups import SymmetryGroup, parse_symmetry
from flopscope.symmetry.hook import symmetry_pass
from flopscope.symmetry.path import EinsumPathInfo, PathStep
from flopscope.symmetry.tensor import SymmetricTensor

__all__ = [
    "SymmetricTensor",
    "SymmetryGroup",
    "as_symmetric",
    "is_symmetric",
    "symmetrize",
    "parse_symmetry",
    "unique_elements",
    "orbit_count",
    "einsum_accumulation_cost",
    "reduction_accumulation_cost",
    "AccumulationCost",
    "AccumulationStep",
    "EinsumPathInfo",
    "PathStep",
    "symmetry_pass",
    "annotate_edges",
]


def _install() -> None:
    from flopscope.exec.hooks import set_symmetry_pass
    from flopscope.exec.writes import set_write_listener
    from flopscope.symmetry.claims import void_overlapping

    set_symmetry_pass(symmetry_pass)
    set_write_listener(void_overlapping)


_install()
