"""Einsum costs.

Convention (SPEC.md section 2, FMA = 1):

* **one or two operands**: the product of the sizes of all distinct indices,
  input and output. Each point of that index space is one multiply-add
  (``'ij,jk->ik'`` on (m,k),(k,n) costs m·k·n; ``'ij,j->i'`` on (256,256),(256,)
  costs 65,536).
* **three or more operands**: the contraction is done pairwise along a path;
  the cost is the sum, over the path's steps, of each step's distinct-index
  product (the two-operand rule applied per step).

**The path.** opt_einsum proposes paths; flopscope costs them in its own
model and takes the cheapest. For the default strategy (``"auto"``, which
NumPy's ``optimize=True/False`` also mean) the candidates are the paths of
opt_einsum's ``"auto"``, ``"greedy"``, ``"dp"`` (up to 12 operands) and
``"optimal"`` (up to 6 operands); ties keep the earlier one. opt_einsum
ranks paths by its own count, which charges a contraction twice an outer
product of the same size, so its pick is not always the cheapest at FMA = 1;
taking the minimum over candidates that include its exhaustive ``"optimal"``
path means flopscope's path never costs more than that one. An explicit
strategy name or path is used as given. The executor contracts along the
same path, so the count describes the computation that runs.

**Symmetry.** :func:`contraction_path` also accepts a ``symmetry`` object
(:class:`flopscope.symmetry.contraction.EinsumSymmetry`: equal operands and
declared groups, implementing :class:`StepSymmetry`). Each candidate's steps
are then costed with that symmetry (see :mod:`flopscope.symmetry.contraction`)
before the cheapest is taken; a step's symmetric cost never exceeds its dense
cost. NumPy still contracts along the dense path: the symmetric charge
describes the computation a symmetry-exploiting kernel would do. Plain
operands never reach that code.

Subscripts are parsed by opt_einsum's parser, which also handles implicit
output (``'ij,jk'``), ellipses and the interleaved operand/sublist form.
Results are cached on (subscripts, shapes), so a loop that calls the same
einsum pays for parsing and path search once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import Any, Protocol, Sequence

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
    "StepSymmetry",
    "einsum_path_call_cost",
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
    """One pairwise step of a contraction path.

    ``cost`` is what the step is charged (with symmetry, if any);
    ``dense_cost`` the product of its index sizes; ``symmetry`` describes the
    symmetry of the step's output (``""`` when costed dense).
    """

    operands: tuple[int, ...]
    subscripts: str
    shapes: tuple[tuple[int, ...], ...]
    cost: int
    dense_cost: int = -1
    symmetry: str = ""

    def __post_init__(self) -> None:
        if self.dense_cost < 0:
            object.__setattr__(self, "dense_cost", self.cost)


@dataclass(frozen=True, slots=True)
class ContractionPath:
    """A contraction order with its per-step costs (FMA = 1).

    ``cost`` is the sum of the steps' charged costs, ``dense_cost`` the sum of
    their dense costs along the same path, ``naive_cost`` the dense cost of
    one loop nest over every index (no intermediates).
    """

    path: tuple[tuple[int, ...], ...]
    steps: tuple[ContractionStep, ...]
    cost: int
    naive_cost: int
    dense_cost: int = -1

    def __post_init__(self) -> None:
        if self.dense_cost < 0:
            object.__setattr__(self, "dense_cost", self.cost)

    def as_numpy_path(self) -> list:
        """The path in the form ``numpy.einsum(optimize=...)`` accepts."""
        return ["einsum_path", *self.path]


class StepSymmetry(Protocol):
    """What :func:`contraction_path` needs to cost steps with symmetry.

    Implemented by :class:`flopscope.symmetry.contraction.EinsumSymmetry`;
    must be hashable (paths are cached on it).
    """

    def step_cost(self, spec: EinsumSpec, sides: tuple[frozenset[int], ...],
                  inputs: tuple[str, ...], output: str) -> tuple[int, str]:
        """``(cost, output symmetry text)`` of contracting ``inputs`` into ``output``.

        ``sides`` holds, per input of the step, the original operand
        positions it was built from.
        """
        ...


#: Strategies whose paths ``"auto"`` chooses among: (opt_einsum name, most operands tried).
_AUTO_CANDIDATES = (("auto", None), ("greedy", None), ("dp", 12), ("optimal", 6))


def _candidate_paths(spec: EinsumSpec, optimize: Any) -> list[tuple[tuple[tuple[int, ...], ...], Any]]:
    """Distinct ``(path, opt_einsum path info)`` pairs proposed for ``optimize``, in order."""
    sizes = spec.size_dict
    shapes = [tuple(sizes[c] for c in term) for term in spec.inputs]
    n = len(spec.inputs)
    if isinstance(optimize, str) and optimize == "auto":
        strategies: list[Any] = [name for name, most in _AUTO_CANDIDATES if most is None or n <= most]
    else:
        strategies = [optimize]
    found: dict[tuple[tuple[int, ...], ...], Any] = {}
    for strategy in strategies:
        path, info = opt_einsum.contract_path(spec.subscripts, *shapes, shapes=True, optimize=strategy)
        found.setdefault(tuple(tuple(p) for p in path), info)
    return list(found.items())


def _best_path(spec: EinsumSpec, optimize: Any, symmetry: StepSymmetry | None) -> ContractionPath:
    """The cheapest candidate path, each step costed dense or with ``symmetry``."""
    sizes = spec.size_dict
    shapes = [tuple(sizes[c] for c in term) for term in spec.inputs]
    naive = index_product((*spec.inputs, spec.output), sizes)
    n = len(spec.inputs)
    if n <= 2:
        cost, text = naive, ""
        if symmetry is not None:
            cost, text = symmetry.step_cost(spec, tuple(frozenset({i}) for i in range(n)),
                                            spec.inputs, spec.output)
        step = ContractionStep(tuple(range(n)), spec.subscripts, tuple(shapes), cost, naive, text)
        return ContractionPath((step.operands,), (step,), cost, naive, naive)
    best: ContractionPath | None = None
    for path, info in _candidate_paths(spec, optimize):
        sides = [frozenset({i}) for i in range(n)]
        current = list(shapes)
        steps = []
        for positions, contraction in zip(path, info.contraction_list):
            step_str = contraction[2]
            step_inputs, step_output = step_str.split("->")
            inputs = tuple(step_inputs.split(","))
            dense = index_product((*inputs, step_output), sizes)
            cost, text = dense, ""
            if symmetry is not None:
                cost, text = symmetry.step_cost(spec, tuple(sides[p] for p in positions), inputs, step_output)
            # opt_einsum writes a step's inputs in descending position order; shapes follow suit
            shapes_in = tuple(current[p] for p in sorted(positions, reverse=True))
            steps.append(ContractionStep(tuple(positions), step_str, shapes_in, min(cost, dense), dense, text))
            merged = frozenset().union(*(sides[p] for p in positions))
            for p in sorted(positions, reverse=True):
                del sides[p]
                del current[p]
            sides.append(merged)
            current.append(tuple(sizes[c] for c in step_output))
        candidate = ContractionPath(path, tuple(steps), sum(s.cost for s in steps), naive,
                                    sum(s.dense_cost for s in steps))
        if best is None or candidate.cost < best.cost:
            best = candidate
    assert best is not None
    return best


@lru_cache(maxsize=1024)
def _path_cached(spec: EinsumSpec, optimize: Any) -> ContractionPath:
    return _best_path(spec, optimize, None)


@lru_cache(maxsize=1024)
def _symmetric_path_cached(spec: EinsumSpec, optimize: Any, symmetry: StepSymmetry) -> ContractionPath:
    return _best_path(spec, optimize, symmetry)


def contraction_path(spec: EinsumSpec, optimize: Any = "auto",
                     symmetry: StepSymmetry | None = None) -> ContractionPath:
    """The contraction path flopscope costs (and executes) for ``spec``.

    ``optimize`` is an opt_einsum strategy name or an explicit path
    (a sequence of position tuples, optionally led by ``"einsum_path"``);
    NumPy's ``True`` / ``False`` / ``None`` mean ``"auto"``. With
    ``symmetry``, steps are costed with it (see the module notes).
    """
    if isinstance(optimize, (list, tuple)):
        optimize = tuple(tuple(p) for p in optimize if p != "einsum_path")
    elif optimize is True or optimize is False or optimize is None:
        optimize = "auto"
    if symmetry is None:
        return _path_cached(spec, optimize)
    return _symmetric_path_cached(spec, optimize, symmetry)


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


def einsum_path_call_cost(*operands: Any, **_: Any) -> int:
    """Cost rule of ``einsum_path``: 1, a nominal planning event (nothing is contracted).

    The arguments are parsed so that an invalid call is reported as NumPy
    would report it, without charging.
    """
    parse_einsum(*operands)
    return 1
