"""Accumulation costs: a FLOP count taken apart into multiplications and additions.

:func:`einsum_accumulation_cost` and :func:`reduction_accumulation_cost`
answer, without executing anything or touching a budget, what an einsum or a
reduction on the given arrays would be charged, and how that number is made.
They see what the executors see: equal operands (the same object twice) and
declared symmetry (:class:`~flopscope.symmetry.SymmetricTensor`).

**Einsum.** The contraction runs as pairwise steps (one step for one or two
operands; the path ``fnp.einsum`` uses otherwise). A step computes ``terms``
products, one per orbit of its index space under the symmetry (the index
space itself when there is none), each of its ``factors`` inputs multiplied
together and added into its output element, which starts at zero::

    multiplications = sum over steps of terms * (factors - 1)
    additions       = sum over steps of terms
    total           = multiplications + additions      (a multiply-add counted as 2)
    fma_flops       = sum over steps of terms          (a multiply-add counted as 1)

``fma_flops`` is what ``fnp.einsum`` charges (FMA = 1, SPEC.md); ``total``
counts the multiply and the add of each term separately, as the README's
``einsum_accumulation_cost('ij,jk->ik', A, B).total == 33,554,432`` does for
(256, 256) matrices: 256^3 multiplications + 256^3 additions = 2 x 16,777,216.

**Reduction.** Reducing n values into one takes n - 1 combining operations,
each counting ``op_factor`` FLOPs (1 for ``sum``, ``max``...). With symmetry
the values are the unique ones (their multiplicities ride on the fused
multiply-add of their accumulation)::

    terms           = unique input elements the reduction can exploit
    additions       = terms - output_elements
    total           = op_factor * additions
    fma_flops       = terms = additions + output_elements

``fma_flops`` is what ``fnp.sum`` charges: SPEC.md's numel(input) (one unit
per element read), reduced by symmetry. For the README's (256, 256) ``A``,
``total == 65,535`` (65,536 values folded into one) while the budget is
charged ``fma_flops == 65,536``: one more, for the one output element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flopscope.cost._shapes import normalize_axes, numel, reduced_shape, shape_of
from flopscope.cost.einsum import contraction_path, parse_einsum
from flopscope.symmetry import propagation as rules
from flopscope.symmetry.contraction import EinsumSymmetry, output_symmetry
from flopscope.symmetry.counting import unique_elements
from flopscope.symmetry.groups import describe
from flopscope.symmetry.tensor import symmetry_of

__all__ = ["AccumulationStep", "AccumulationCost", "einsum_accumulation_cost", "reduction_accumulation_cost"]


@dataclass(frozen=True, slots=True)
class AccumulationStep:
    """One contraction step of an einsum's accumulation."""

    subscripts: str
    factors: int
    terms: int
    dense_terms: int
    multiplications: int
    additions: int


@dataclass(frozen=True, slots=True)
class AccumulationCost:
    """An analytical FLOP count decomposed (see :mod:`flopscope.symmetry.accumulation`).

    Attributes
    ----------
    operation:
        What was costed, e.g. ``einsum 'ij,jk->ik'``.
    output_elements:
        Unique elements of the result (under its symmetry).
    terms:
        Unique terms accumulated (summed over steps for an einsum).
    multiplications, additions:
        The operations making up ``total``.
    op_factor:
        FLOPs per combining operation (reductions; 1 for einsums).
    total:
        ``multiplications + op_factor * additions``: every operation counted once.
    fma_flops:
        What the budget is charged (analytical; a multiply-add counts 1).
    dense_fma_flops:
        The charge without symmetry.
    symmetry:
        The symmetry used, as text.
    steps:
        Per contraction step (einsums; empty for reductions).
    """

    operation: str
    output_elements: int
    terms: int
    multiplications: int
    additions: int
    op_factor: int
    total: int
    fma_flops: int
    dense_fma_flops: int
    symmetry: str
    steps: tuple[AccumulationStep, ...] = ()

    @property
    def symmetry_saving(self) -> int:
        """``dense_fma_flops - fma_flops``."""
        return self.dense_fma_flops - self.fma_flops

    def __str__(self) -> str:
        if self.steps:
            added = "one per term, added into a zero-initialised output"
            sums = "multiplications + additions (a multiply-add counted as 2)"
            charged = "= additions: each multiply fused with its add (FMA = 1)"
        else:
            plural = "" if self.output_elements == 1 else "s"
            added = f"{self.terms:,} values folded into {self.output_elements:,} output{plural}"
            sums = f"op_factor ({self.op_factor}) x additions"
            charged = "= additions + output elements: one per value read"
        rows = [
            ("multiplications", self.multiplications, ""),
            ("additions", self.additions, added),
            ("total", self.total, sums),
            ("fma_flops", self.fma_flops, f"charged to the budget {charged}"),
            ("dense_fma_flops", self.dense_fma_flops, "without symmetry"),
            ("symmetry_saving", self.symmetry_saving, f"symmetry: {self.symmetry}"),
        ]
        width = max(len(f"{v:,}") for _, v, _ in rows)
        lines = [f"AccumulationCost of {self.operation}"]
        lines += [f"  {name:<16} {value:>{width},}   {note}".rstrip() for name, value, note in rows]
        return "\n".join(lines)


def einsum_accumulation_cost(subscripts: Any, *operands: Any, optimize: Any = "auto") -> AccumulationCost:
    """Decompose what ``fnp.einsum(subscripts, *operands)`` would be charged, without running it.

    Operands may be NumPy or flopscope arrays, SymmetricTensors, or abstract
    arrays; equal operands (the same object at several positions) and
    declared symmetry are taken into account exactly as ``fnp.einsum`` does.

    >>> import numpy as np
    >>> A = np.zeros((256, 256)); B = np.zeros((256, 256))
    >>> einsum_accumulation_cost('ij,jk->ik', A, B).total
    33554432
    """
    args = (subscripts, *operands)
    spec = parse_einsum(*args)
    arrays = operands if isinstance(subscripts, str) else args[0::2][: len(spec.inputs)]
    symmetry = EinsumSymmetry.of(arrays)
    strategy = "auto" if optimize in (False, True, None) else optimize
    path = contraction_path(spec, strategy, symmetry)
    steps = []
    for s in path.steps:
        factors = s.subscripts.split("->")[0].count(",") + 1
        steps.append(AccumulationStep(s.subscripts, factors, s.cost, s.dense_cost,
                                      s.cost * (factors - 1), s.cost))
    out_symmetry = output_symmetry(spec, symmetry) if symmetry is not None else ()
    sizes = spec.size_dict
    out_shape = tuple(sizes[c] for c in spec.output)
    multiplications = sum(s.multiplications for s in steps)
    additions = sum(s.additions for s in steps)
    return AccumulationCost(
        operation=f"einsum {spec.subscripts!r}",
        output_elements=unique_elements(out_shape, out_symmetry),
        terms=sum(s.terms for s in steps),
        multiplications=multiplications,
        additions=additions,
        op_factor=1,
        total=multiplications + additions,
        fma_flops=path.cost,
        dense_fma_flops=path.dense_cost,
        symmetry=(symmetry.describe_inputs(spec) + f"; output {describe(out_symmetry, spec.output)}"
                  if symmetry is not None else "none"),
        steps=tuple(steps),
    )


def reduction_accumulation_cost(x: Any, axis: Any = None, *, op_factor: int = 1) -> AccumulationCost:
    """Decompose what reducing ``x`` over ``axis`` would be charged, without running it.

    ``op_factor`` is the number of FLOPs one combining operation counts
    (1 for ``sum``, ``max``, ``min``...). Declared symmetry of ``x`` is used
    exactly as ``fnp.sum(x, axis)`` uses it.

    >>> import numpy as np
    >>> reduction_accumulation_cost(np.zeros((256, 256)), op_factor=1).total
    65535
    """
    if isinstance(op_factor, bool) or not isinstance(op_factor, int) or op_factor < 0:
        raise ValueError(f"op_factor must be a non-negative integer, got {op_factor!r}")
    shape = shape_of(x)
    axes = normalize_axes(axis, len(shape))
    declared = symmetry_of(x)
    usable, out_symmetry = rules.reduction_rule(shape, declared, axes)
    terms = unique_elements(shape, usable)
    outputs = unique_elements(reduced_shape(shape, axes, False), out_symmetry)
    additions = max(terms - outputs, 0)
    return AccumulationCost(
        operation=f"reduction over axes {axes} of an array of shape {shape}",
        output_elements=outputs,
        terms=terms,
        multiplications=0,
        additions=additions,
        op_factor=op_factor,
        total=op_factor * additions,
        fma_flops=terms,
        dense_fma_flops=numel(shape),
        symmetry=(f"{describe(declared)} (exploited: {describe(usable)})" if declared else "none"),
    )
