"""The record of one counted call: a node of the cost graph and a line of the budget log.

The dispatch hot path does not build these objects. It appends a plain tuple
(a *row*, laid out by the ``R_*`` indices below) to a :class:`~flopscope.trace.Trace`;
rows become :class:`OpRecord` objects only when someone reads the log or the
graph. That keeps a counted call cheap and its memory small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import CodeType
from typing import Any, Iterator, Mapping

from flopscope.cost import units_to_flops, units_to_flops_ceil

__all__ = ["CallSite", "OpRecord", "row_to_record"]

# Row layout. A row is a tuple; these are its field positions.
R_ID = 0  # int: process-unique node id
R_OP = 1  # str: op name ("add", "linalg.svd", ...)
R_NAMESPACE = 2  # str | None: dotted namespace path
R_SHAPES = 3  # sequence of input shapes
R_DTYPES = 4  # sequence of input dtypes (numpy.dtype or None for non-arrays)
R_PARAMS = 5  # dict | None: scalar parameters (subscripts, axis, ...)
R_ANALYTICAL = 6  # int: analytical FLOPs
R_WEIGHTED = 7  # int: charge in charge units (analytical x multiplier x weight x 2**UNIT_BITS)
R_CUMULATIVE = 8  # int: budget used after this call, in charge units
R_OFFSET_NS = 9  # int: ns from context start to the call
R_BACKEND_NS = 10  # int: ns inside the NumPy implementation
R_OVERHEAD_NS = 11  # int: ns of flopscope bookkeeping for this call
R_CODE = 12  # CodeType | None: code object of the user's calling frame
R_LINE = 13  # int: instruction offset in that frame (see callsite.line_of)
R_INPUTS = 14  # sequence of node ids that produced the inputs
R_OUT_SHAPE = 15  # tuple | None: shape of the (first) result
R_OUT_DTYPE = 16  # numpy.dtype | None: dtype of the (first) result
R_EXTRA = 17  # dict | None: tags (symmetry, data-dependent bound, ...)
R_THREAD = 18  # int | None: ``threading.get_ident()`` of the thread that ran the call
ROW_WIDTH = 19


@dataclass(frozen=True, slots=True)
class CallSite:
    """Where in the user's code a counted call was made."""

    filename: str
    lineno: int
    function: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno} in {self.function}"

    @classmethod
    def from_code(cls, code: CodeType | None, lasti: int) -> CallSite | None:
        """The call site of instruction offset ``lasti`` in ``code`` (cached per site)."""
        if code is None:
            return None
        key = (id(code), lasti)
        cached = _SITES.get(key)
        # Keyed by id (hashing a code object hashes its contents); the stored
        # code object both keeps the id valid and confirms it.
        if cached is not None and cached[0] is code:
            return cached[1]
        from flopscope.trace.callsite import line_of

        site = cls(code.co_filename, line_of(code, lasti), code.co_name)
        if len(_SITES) >= _CACHE_LIMIT:
            _SITES.clear()
        _SITES[key] = (code, site)
        return site


#: Caches for materializing rows: a log of 100,000 calls has a handful of call
#: sites and dtypes, and computing each anew dominated reading the log.
_CACHE_LIMIT = 65536
_SITES: dict[tuple[int, int], tuple[CodeType, CallSite]] = {}
_DTYPE_NAMES: dict[tuple, tuple] = {}


@dataclass(frozen=True, slots=True)
class OpRecord:
    """One counted call, as the budget log and the cost graph see it.

    The first nine fields are the budget log's documented fields; the rest
    describe the call as a node of the data-flow graph.

    Attributes
    ----------
    op_name:
        Operation name, e.g. ``"einsum"``, ``"exp"``, ``"linalg.svd"``.
    namespace:
        Dotted namespace path active for the call, or ``None``.
    subscripts:
        Einsum subscript string, or ``None``.
    shapes:
        Shapes of the array inputs, in call order (``()`` for scalars).
    flop_cost:
        FLOPs charged to the budget: analytical x multiplier x weight, exactly
        (an ``int`` when whole, else a ``float`` keeping the fraction).
    cumulative:
        Budget used after this call (whole FLOPs, rounded up).
    flopscope_context_start_offset_s:
        Seconds from the context's start to this call.
    flopscope_backend_duration_s:
        Seconds inside the NumPy implementation (0 for planned calls).
    flopscope_overhead_duration_s:
        Seconds of flopscope bookkeeping attributed to this call.
    node_id:
        Process-unique id of the node.
    analytical_cost:
        The unweighted FLOP count from the op's formula.
    dtypes:
        Dtype names of the inputs (``None`` for non-array inputs).
    call_site:
        The user's file, line and function, or ``None`` if unknown.
    inputs:
        Node ids of the calls whose results this call consumed.
    output_shape, output_dtype:
        Shape and dtype name of the (first) result.
    params:
        Scalar parameters of the call (``axis``, ``subscripts``...).
    tags:
        Extra annotations: ``symmetry``, ``bound`` (a data-dependent size
        planned at its upper bound), ``refused`` (the call a budget refused).
    thread_id:
        ``threading.get_ident()`` of the thread that ran the call (``None`` for
        planned calls): with threads charged to one context, which one did what.
    """

    op_name: str
    namespace: str | None
    subscripts: str | None
    shapes: tuple
    flop_cost: int | float
    cumulative: int
    flopscope_context_start_offset_s: float
    flopscope_backend_duration_s: float
    flopscope_overhead_duration_s: float
    node_id: int = -1
    analytical_cost: int = 0
    dtypes: tuple = ()
    call_site: CallSite | None = None
    inputs: tuple[int, ...] = ()
    output_shape: tuple | None = None
    output_dtype: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, Any] = field(default_factory=dict)
    thread_id: int | None = None

    @property
    def weighted_cost(self) -> int | float:
        """Alias of :attr:`flop_cost`, named for symmetry with :attr:`analytical_cost`."""
        return self.flop_cost


class _NoEntries(Mapping):
    """An empty, immutable, picklable mapping: the ``params`` / ``tags`` of most records.

    Shared by every record that has none, so reading a long log does not
    build an empty dict per field; immutable so that sharing is safe.
    """

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key: Any, default: Any = None) -> Any:  # no KeyError raised and caught per call
        return default

    def __contains__(self, key: Any) -> bool:
        return False

    def __repr__(self) -> str:
        return "{}"

    def __reduce__(self) -> str:
        return "_NO_PARAMS"  # unpickles as this module's singleton


_NO_PARAMS: Mapping[str, Any] = _NoEntries()


def _dtype_names(dtypes: Any) -> tuple:
    """Names of a row's dtypes (``None`` stays ``None``), cached per distinct tuple."""
    if type(dtypes) is not tuple:
        dtypes = tuple(dtypes)
    names = _DTYPE_NAMES.get(dtypes)
    if names is None:
        if len(_DTYPE_NAMES) >= _CACHE_LIMIT:
            _DTYPE_NAMES.clear()
        names = _DTYPE_NAMES[dtypes] = tuple(None if d is None else str(d) for d in dtypes)
    return names


def row_to_record(row: tuple) -> OpRecord:
    """Materialize a hot-path row into an :class:`OpRecord`.

    Fields are passed by position, in :class:`OpRecord`'s order: reading a
    100,000-call log materializes 100,000 of these.
    """
    params = row[R_PARAMS]
    if params:
        subscripts = params.get("subscripts")
    else:
        params, subscripts = _NO_PARAMS, None
    shapes = row[R_SHAPES]
    inputs = row[R_INPUTS]
    out_dtype = row[R_OUT_DTYPE]
    return OpRecord(
        row[R_OP],
        row[R_NAMESPACE],
        subscripts,
        shapes if type(shapes) is tuple else tuple(shapes),
        units_to_flops(row[R_WEIGHTED]),
        units_to_flops_ceil(row[R_CUMULATIVE]),
        row[R_OFFSET_NS] / 1e9,
        row[R_BACKEND_NS] / 1e9,
        row[R_OVERHEAD_NS] / 1e9,
        row[R_ID],
        row[R_ANALYTICAL],
        _dtype_names(row[R_DTYPES]),
        CallSite.from_code(row[R_CODE], row[R_LINE]),
        inputs if type(inputs) is tuple else tuple(inputs),
        row[R_OUT_SHAPE],
        None if out_dtype is None else _dtype_names((out_dtype,))[0],
        params,
        row[R_EXTRA] or _NO_PARAMS,
        row[R_THREAD],
    )
