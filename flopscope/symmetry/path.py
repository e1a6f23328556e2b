"""``fnp.einsum_path``: the contraction order and its symmetry-aware cost, without contracting.

:func:`plan_einsum_path` returns ``(path, info)`` like :func:`numpy.einsum_path`:
``path`` is NumPy's ``['einsum_path', (0, 1), ...]`` list (pass it to
``einsum(..., optimize=path)``), ``info`` an :class:`EinsumPathInfo` whose
``str()`` is a per-step table. The path and costs are exactly those
``fnp.einsum`` charges for the same operands (same strategy, same equal
operands, same declared symmetry); the call itself is charged a nominal
1 FLOP as a planning event (see :mod:`flopscope.registry.einsum_path`).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

from flopscope.cost.einsum import contraction_path, parse_einsum
from flopscope.symmetry.contraction import EinsumSymmetry, output_symmetry
from flopscope.symmetry.groups import describe

__all__ = ["PathStep", "EinsumPathInfo", "plan_einsum_path"]


@dataclass(frozen=True, slots=True)
class PathStep:
    """One step of a contraction path, dense and with symmetry."""

    step: int
    operands: tuple[int, ...]
    subscripts: str
    shapes: tuple[tuple[int, ...], ...]
    dense_cost: int
    cost: int
    symmetry: str

    @property
    def savings(self) -> int:
        """FLOPs the symmetry saves on this step (dense cost minus cost)."""
        return self.dense_cost - self.cost


@dataclass(frozen=True, slots=True)
class EinsumPathInfo:
    """What ``fnp.einsum_path`` found: the path, its steps and its costs (FMA = 1).

    Attributes
    ----------
    optimized_cost:
        What ``fnp.einsum`` charges: the sum of the steps' symmetric costs.
    dense_cost:
        The same path costed without symmetry.
    naive_cost:
        One loop nest over every index, dense: the product of all index sizes.
    speedup:
        ``naive_cost / optimized_cost``.
    symmetry_saving:
        ``dense_cost - optimized_cost``.
    steps:
        One :class:`PathStep` per pairwise contraction.
    """

    subscripts: str
    shapes: tuple[tuple[int, ...], ...]
    path: tuple[tuple[int, ...], ...]
    steps: tuple[PathStep, ...]
    optimized_cost: int
    dense_cost: int
    naive_cost: int
    input_symmetry: str
    output_symmetry: str

    @property
    def speedup(self) -> float:
        return self.naive_cost / self.optimized_cost if self.optimized_cost else float("inf")

    @property
    def symmetry_saving(self) -> int:
        return self.dense_cost - self.optimized_cost

    @property
    def largest_intermediate(self) -> int:
        """Elements of the largest array the path creates (the output included)."""
        sizes: dict[str, int] = {}
        for term, shape in zip(self.subscripts.split("->")[0].split(","), self.shapes):
            sizes.update(zip(term, shape))
        return max((prod(sizes[c] for c in s.subscripts.split("->")[1]) for s in self.steps), default=1)

    def __str__(self) -> str:
        def shapes_text(shapes: tuple[tuple[int, ...], ...]) -> str:
            return ",".join("(" + ",".join(map(str, s)) + ")" for s in shapes)

        saving = self.symmetry_saving
        pct = f" ({100 * saving / self.dense_cost:.1f}%)" if self.dense_cost else ""
        head = [
            f"  Complete contraction:  {self.subscripts}",
            f"  Operand shapes:        {shapes_text(self.shapes)}",
            f"  Operand symmetry:      {self.input_symmetry or 'none'}",
            f"  Output symmetry:       {self.output_symmetry}",
            f"  Naive cost:            {self.naive_cost:,}  (one dense loop over every index)",
            f"  Dense path cost:       {self.dense_cost:,}",
            f"  Optimized cost:        {self.optimized_cost:,}  (symmetry saves {saving:,}{pct})",
            f"  Speedup:               {self.speedup:.3f}x",
            f"  Largest intermediate:  {self.largest_intermediate:,} elements",
        ]
        rows = [(str(s.step), s.subscripts, shapes_text(s.shapes), f"{s.dense_cost:,}", f"{s.cost:,}",
                 f"{100 * s.savings / s.dense_cost:.1f}%" if s.dense_cost else "0.0%", s.symmetry or "none")
                for s in self.steps]
        titles = ("step", "subscripts", "shapes", "dense cost", "symmetric cost", "savings", "output symmetry")
        widths = [max(len(t), *(len(r[i]) for r in rows)) for i, t in enumerate(titles)]
        right = {0, 3, 4, 5}

        def line(cells: tuple[str, ...]) -> str:
            return "  " + "  ".join(c.rjust(w) if i in right else c.ljust(w)
                                    for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

        rule = "  " + "-" * (sum(widths) + 2 * (len(widths) - 1))
        return "\n".join([*head, rule, line(titles), rule, *(line(r) for r in rows)])


def _strategy(optimize: Any) -> Any:
    return "auto" if optimize is False or optimize is True or optimize is None else optimize


def plan_einsum_path(args: tuple, kwargs: dict) -> tuple[list, EinsumPathInfo]:
    """``(path, info)`` for ``einsum_path(*args, **kwargs)`` with the operands' symmetry.

    ``optimize`` defaults to what ``fnp.einsum`` uses (opt_einsum's
    ``"auto"``); a strategy name or an explicit path is honoured.
    """
    spec = parse_einsum(*args)
    n = len(spec.inputs)
    operands = tuple(args[1:]) if isinstance(args[0], str) else tuple(args[0::2][:n])
    symmetry = EinsumSymmetry.of(operands)
    path = contraction_path(spec, _strategy(kwargs.get("optimize", "auto")), symmetry)
    sizes = spec.size_dict
    steps = tuple(
        PathStep(i + 1, s.operands, s.subscripts, s.shapes, s.dense_cost, s.cost, s.symmetry)
        for i, s in enumerate(path.steps)
    )
    info = EinsumPathInfo(
        subscripts=spec.subscripts,
        shapes=tuple(tuple(sizes[c] for c in term) for term in spec.inputs),
        path=path.path,
        steps=steps,
        optimized_cost=path.cost,
        dense_cost=path.dense_cost,
        naive_cost=path.naive_cost,
        input_symmetry=symmetry.describe_inputs(spec) if symmetry is not None else "",
        output_symmetry=describe(output_symmetry(spec, symmetry), spec.output) if symmetry else "none",
    )
    return path.as_numpy_path(), info
