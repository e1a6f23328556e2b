"""The record of one counted call: a node of the cost graph and a line of the budget log.

The dispatch hot path does not build these objects. It appends a plain tuple
(a *row*, laid out by the ``R_*`` indices below) to a :class:`~flopscope.trace.Trace`;
rows become :class:`OpRecord` objects only when someone reads the log or the
graph. That keeps a counted call cheap and its memory small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import CodeType
from operator import itemgetter
from typing import Any, Iterator, Mapping, Sequence

from flopscope.cost import units_to_flops, units_to_flops_ceil

__all__ = [
    "CallSite", "OpRecord", "dtype_names", "overhead_ns", "row_to_record", "rows_to_records",
]

# Row layout. A row is a tuple; these are its field positions.
R_ID = 0  # int: process-unique node id
R_OP = 1  # str: op name ("add", "linalg.svd", ...)
R_NAMESPACE = 2  # str | None: dotted namespace path
R_SHAPES = 3  # sequence of input shapes
R_DTYPES = 4  # sequence of input dtypes (numpy.dtype or None for non-arrays)
R_PARAMS = 5  # tuple of (name, value) pairs | None: scalar parameters (subscripts, axis...);
#   a tuple, not a dict: the cyclic collector stops tracking a row of tuples, ints and
#   strings after its first collection, but never one that holds a dict
R_ANALYTICAL = 6  # int: analytical FLOPs
R_WEIGHTED = 7  # int: charge in charge units (analytical x multiplier x weight x 2**UNIT_BITS)
R_CUMULATIVE = 8  # int: budget used after this call, in charge units
# Times are raw ``perf_counter_ns()`` readings where a difference would do: big-int
# subtraction on every call costs more than on reading (offset = start - the
# trace's origin_ns; flopscope's own overhead = end - start - backend).
R_START_NS = 9  # int: clock when the call began
R_BACKEND_NS = 10  # int: ns inside the NumPy implementation
R_END_NS = 11  # int: clock when the call returned
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


def dtype_names(dtypes: Any) -> tuple:
    """Names of a row's dtypes (``None`` stays ``None``), cached per distinct tuple."""
    if type(dtypes) is not tuple:
        dtypes = tuple(dtypes)
    names = _DTYPE_NAMES.get(dtypes)
    if names is None:
        if len(_DTYPE_NAMES) >= _CACHE_LIMIT:
            _DTYPE_NAMES.clear()
        names = _DTYPE_NAMES[dtypes] = tuple(None if d is None else str(d) for d in dtypes)
    return names


class _RecordBuilder:
    """A mutable twin of :class:`OpRecord`: same slots, same order, no frozen ``__setattr__``.

    A frozen dataclass's ``__init__`` stores each field through
    ``object.__setattr__`` (a global lookup and a call per field), which made
    building records the largest single cost of reading a long log. This class
    stores the same fields by plain slot assignment; :func:`rows_to_records`
    then switches the finished object's ``__class__`` to :class:`OpRecord`.
    CPython allows that switch only between classes with identical slot
    layouts (and raises ``TypeError`` otherwise), so the result *is* an
    ``OpRecord``: frozen from then on, equal to and printed like one built by
    its ``__init__`` (tests/test_log_reading.py checks both). A field added
    to :class:`OpRecord` must be added here too, in the same position
    (records would otherwise miss it, and those tests fail).
    """

    __slots__ = OpRecord.__slots__  # type: ignore[attr-defined]

    def __init__(
        self, op_name: Any, namespace: Any, subscripts: Any, shapes: Any, flop_cost: Any,
        cumulative: Any, offset_s: Any, backend_s: Any, overhead_s: Any, node_id: Any,
        analytical_cost: Any, dtypes: Any, call_site: Any, inputs: Any, output_shape: Any,
        output_dtype: Any, params: Any, tags: Any, thread_id: Any,
    ) -> None:
        self.op_name = op_name
        self.namespace = namespace
        self.subscripts = subscripts
        self.shapes = shapes
        self.flop_cost = flop_cost
        self.cumulative = cumulative
        self.flopscope_context_start_offset_s = offset_s
        self.flopscope_backend_duration_s = backend_s
        self.flopscope_overhead_duration_s = overhead_s
        self.node_id = node_id
        self.analytical_cost = analytical_cost
        self.dtypes = dtypes
        self.call_site = call_site
        self.inputs = inputs
        self.output_shape = output_shape
        self.output_dtype = output_dtype
        self.params = params
        self.tags = tags
        self.thread_id = thread_id


#: A row's fields in the order :func:`rows_to_records` reads them (one C call per row).
_ROW_FIELDS = itemgetter(
    R_ID, R_OP, R_NAMESPACE, R_SHAPES, R_DTYPES, R_PARAMS, R_ANALYTICAL, R_WEIGHTED,
    R_CUMULATIVE, R_START_NS, R_BACKEND_NS, R_END_NS, R_CODE, R_LINE, R_INPUTS,
    R_OUT_SHAPE, R_OUT_DTYPE, R_EXTRA, R_THREAD,
)


def rows_to_records(rows: Sequence[tuple], start: int = 0, origin_ns: int = 0) -> list[OpRecord]:
    """Materialize hot-path rows ``rows[start:]`` into :class:`OpRecord` objects.

    ``origin_ns`` is the clock reading offsets count from (the context's start).

    The bulk path behind the op log and the graph: a log of 100,000 calls has
    a handful of call sites, dtype combinations and per-call charges, so each
    is converted once per distinct value (dict lookups keyed by identity while
    the rows keep the objects alive) rather than once per row.
    """
    records: list[OpRecord] = []
    append = records.append
    fields_of = _ROW_FIELDS
    build = _RecordBuilder
    record_class = OpRecord
    no_entries = _NO_PARAMS
    names_of = _DTYPE_NAMES
    flops_of: dict[int, int | float] = {}  # charge units -> FLOPs
    sites: dict[tuple[int, int], CallSite | None] = {}  # (id(code), lasti) -> call site
    out_names: dict[int, str] = {}  # id(dtype) -> name
    for index in range(start, len(rows)):
        (node_id, op, namespace, shapes, dtypes, params, analytical, weighted, cumulative,
         start_ns, backend_ns, end_ns, code, lasti, inputs, out_shape, out_dtype,
         extra, thread) = fields_of(rows[index])
        if params:  # each record its own dict: editing one never touches another
            params = dict(params)
            subscripts = params.get("subscripts")
        else:
            params, subscripts = no_entries, None
        flop_cost = flops_of.get(weighted)
        if flop_cost is None:
            flop_cost = flops_of[weighted] = units_to_flops(weighted)
        if code is None:
            site = None
        else:
            key = (id(code), lasti)
            site = sites.get(key)
            if site is None:
                site = sites[key] = CallSite.from_code(code, lasti)
        if type(dtypes) is not tuple:
            dtypes = tuple(dtypes)
        names = names_of.get(dtypes)
        if names is None:
            names = dtype_names(dtypes)
        if out_dtype is not None:
            out_name = out_names.get(id(out_dtype))
            if out_name is None:
                out_name = out_names[id(out_dtype)] = dtype_names((out_dtype,))[0]
        else:
            out_name = None
        record = build(
            op,
            namespace,
            subscripts,
            shapes if type(shapes) is tuple else tuple(shapes),
            flop_cost,
            units_to_flops_ceil(cumulative),
            (start_ns - origin_ns) / 1e9,
            backend_ns / 1e9,
            (end_ns - start_ns - backend_ns) / 1e9,
            node_id,
            analytical,
            names,
            site,
            inputs if type(inputs) is tuple else tuple(inputs),
            out_shape,
            out_name,
            params,
            extra or no_entries,
            thread,
        )
        record.__class__ = record_class  # type: ignore[assignment]
        append(record)  # type: ignore[arg-type]
    return records


def row_to_record(row: tuple, origin_ns: int = 0) -> OpRecord:
    """Materialize one hot-path row into an :class:`OpRecord` (see :func:`rows_to_records`)."""
    return rows_to_records((row,), 0, origin_ns)[0]


def overhead_ns(row: tuple) -> int:
    """Nanoseconds of flopscope's own work in the call of ``row`` (all but NumPy's)."""
    return row[R_END_NS] - row[R_START_NS] - row[R_BACKEND_NS]
