"""Einsum costs.

Convention (SPEC.md section 2, FMA = 1):

* **one or two operands**: the product of the sizes of all distinct indices,
  input and output. Each point of that index space is one multiply-add
  (``'ij,jk->ik'`` on (m,k),(k,n) costs m·k·n; ``'ij,j->i'`` on (256,256),(256,)
  costs 65,536).
* **three or more operands**: the contraction is done pairwise along the path
  opt_einsum chooses; the cost is the sum, over the path's steps, of each
  step's distinct-index product (the two-operand rule applied per step).

Subscripts are parsed by opt_einsum's parser, which also handles implicit
output (``'ij,jk'``), ellipses and the interleaved operand/sublist form.
Results are cached on (subscripts, shapes), so a loop that calls the same
einsum pays for parsing and path search once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import Any, Sequence

import opt_einsum

from flopscope.cost._shapes import shape_of

__all__ = [
    "EinsumSpec",
    "parse_einsum",
    "index_product",
    "einsum_cost",
    "einsum_call_cost",
    "contraction_path",
    "ContractionStep",
    "ContractionPath",
]


@dataclass(frozen=True, slots=True)
class EinsumSpec:
    """A parsed einsum: input terms, output term and the size of every index."""

    inputs: tuple[str, ...]
    output: str
    sizes: tuple[tuple[str, int], ...]

    @property
    def size_dict(self) -> dict[str, int]:
        return dict(self.sizes)

    @property
    def subscripts(self) -> str:
        return ",".join(self.inputs) + "->" + self.output


def _size_dict(terms: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for term, shape in zip(terms, shapes):
        if len(term) != len(shape):
            raise ValueError(
                f"einstein sum subscripts string {term!r} does not match the "
                f"number of dimensions {len(shape)} of its operand"
            )
        for label, dim in zip(term, shape):
            seen = sizes.get(label)
            if seen is None or seen == 1:
                sizes[label] = int(dim)
            elif dim != 1 and dim != seen:
                raise ValueError(
                    f"size of label {label!r} is {dim} in one operand and {seen} in another"
                )
    return sizes


@lru_cache(maxsize=4096)
def _parse_cached(subscripts: str, shapes: tuple[tuple[int, ...], ...]) -> EinsumSpec:
    inputs, output, _ = opt_einsum.parser.parse_einsum_input((subscripts, *shapes), shapes=True)
    terms = tuple(inputs.split(","))
    if len(terms) != len(shapes):
        raise ValueError(
            f"{len(terms)} operand subscripts in {subscripts!r} but {len(shapes)} operands given"
        )
    sizes = _size_dict(terms, shapes)
    for label in output:
        if label not in sizes:
            raise ValueError(f"output subscript {label!r} does not appear in the inputs")
    return EinsumSpec(terms, output, tuple(sorted(sizes.items())))


def parse_einsum(*operands: Any) -> EinsumSpec:
    """Parse einsum arguments (subscripts then operands, or interleaved form).

    Operands may be arrays, abstract arrays or anything with a ``.shape``.
    """
    if operands and isinstance(operands[0], str):
        subscripts = operands[0].replace(" ", "")
        shapes = tuple(shape_of(op) for op in operands[1:])
        return _parse_cached(subscripts, shapes)
    # Interleaved form: a0, sub0, a1, sub1, ..., [out]. Convert to a string.
    arrays = operands[0::2]
    sublists = operands[1::2]
    output = None
    if len(operands) % 2 == 1:
        arrays, output = arrays[:-1], operands[-1]
    letters = opt_einsum.parser.get_symbol
    labels: dict[Any, str] = {}

    def term(sub: Sequence[Any]) -> str:
        out = []
        for item in sub:
            if item is Ellipsis:
                out.append("...")
            else:
                out.append(labels.setdefault(item, letters(len(labels))))
        return "".join(out)

    text = ",".join(term(s) for s in sublists)
    if output is not None:
        text += "->" + term(output)
    return _parse_cached(text, tuple(shape_of(a) for a in arrays))


def index_product(terms: Sequence[str], sizes: dict[str, int]) -> int:
    """Product of the sizes of the distinct labels across ``terms``."""
    labels = set().union(*terms) if terms else set()
    return prod(sizes[label] for label in labels)


@dataclass(frozen=True, slots=True)
class ContractionStep:
    """One pairwise step of a contraction path."""

    operands: tuple[int, ...]
    subscripts: str
    shapes: tuple[tuple[int, ...], ...]
    cost: int


@dataclass(frozen=True, slots=True)
class ContractionPath:
    """A contraction order with its per-step costs (dense, FMA = 1)."""

    path: tuple[tuple[int, ...], ...]
    steps: tuple[ContractionStep, ...]
    cost: int
    naive_cost: int

    def as_numpy_path(self) -> list:
        """The path in the form ``numpy.einsum(optimize=...)`` accepts."""
        return ["einsum_path", *self.path]


@lru_cache(maxsize=1024)
def _path_cached(spec: EinsumSpec, optimize: Any) -> ContractionPath:
    sizes = spec.size_dict
    shapes = [tuple(sizes[c] for c in term) for term in spec.inputs]
    naive = index_product((*spec.inputs, spec.output), sizes)
    if len(spec.inputs) <= 2:
        step = ContractionStep(tuple(range(len(spec.inputs))), spec.subscripts, tuple(shapes), naive)
        return ContractionPath((step.operands,), (step,), naive, naive)
    strategy = "auto" if optimize in (True, None, False) else optimize
    path, info = opt_einsum.contract_path(spec.subscripts, *shapes, shapes=True, optimize=strategy)
    terms = list(spec.inputs)
    current_shapes = list(shapes)
    steps = []
    for positions, (_, _, step_str, _, _) in zip(path, info.contraction_list):
        step_inputs, step_output = step_str.split("->")
        cost = index_product((*step_inputs.split(","), step_output), sizes)
        step_shapes = tuple(current_shapes[p] for p in positions)
        for p in sorted(positions, reverse=True):
            del terms[p]
            del current_shapes[p]
        terms.append(step_output)
        current_shapes.append(tuple(sizes[c] for c in step_output))
        steps.append(ContractionStep(tuple(positions), step_str, step_shapes, cost))
    total = sum(s.cost for s in steps)
    return ContractionPath(tuple(tuple(p) for p in path), tuple(steps), total, naive)


def contraction_path(spec: EinsumSpec, optimize: Any = "auto") -> ContractionPath:
    """The contraction path flopscope costs (and executes) for ``spec``.

    ``optimize`` is an opt_einsum strategy name or an explicit path
    (a sequence of position tuples, optionally led by ``"einsum_path"``).
    """
    if isinstance(optimize, (list, tuple)):
        items = [tuple(p) for p in optimize if p != "einsum_path"]
        optimize = tuple(items)
    return _path_cached(spec, optimize)


@lru_cache(maxsize=4096)
def _cost_cached(subscripts: str, shapes: tuple[tuple[int, ...], ...], optimize: Any) -> int:
    spec = _parse_cached(subscripts.replace(" ", ""), shapes)
    if len(spec.inputs) <= 2:
        return index_product((*spec.inputs, spec.output), spec.size_dict)
    return contraction_path(spec, optimize).cost


def einsum_call_cost(*operands: Any, optimize: Any = False, **_: Any) -> int:
    """Cost rule of ``einsum``: arguments exactly as :func:`numpy.einsum` takes them.

    ``optimize`` may name an opt_einsum strategy or give an explicit path; the
    NumPy defaults (``False`` / ``True``) mean opt_einsum's ``"auto"``.
    """
    if optimize is False or optimize is True or optimize is None:
        optimize = "auto"
    if operands and type(operands[0]) is str:
        try:
            shapes = tuple([op.shape for op in operands[1:]])
        except AttributeError:
            shapes = tuple([shape_of(op) for op in operands[1:]])
        try:
            return _cost_cached(operands[0], shapes, optimize)
        except TypeError:  # an unhashable explicit path
            pass
    spec = parse_einsum(*operands)
    if len(spec.inputs) <= 2:
        return index_product((*spec.inputs, spec.output), spec.size_dict)
    return contraction_path(spec, optimize).cost


def einsum_cost(subscripts: str, shapes: Sequence[Sequence[int]], optimize: Any = "auto") -> int:
    """Analytical FLOPs of ``einsum(subscripts, *arrays)`` for arrays of ``shapes``.

    >>> einsum_cost('ij,jk->ik', shapes=[(256, 256), (256, 256)])
    16777216
    """
    spec = _parse_cached(subscripts.replace(" ", ""), tuple(tuple(int(d) for d in s) for s in shapes))
    if len(spec.inputs) <= 2:
        return index_product((*spec.inputs, spec.output), spec.size_dict)
    return contraction_path(spec, optimize).cost
