"""Per-operation weights: the factor that turns analytical FLOPs into calibrated ones.

``effective = analytical x flop_multiplier x weight(op_name)`` (SPEC.md section 3).

Which table is active is decided once at import and can be changed at run time:

1. ``FLOPSCOPE_DISABLE_WEIGHTS=1``: no table, every weight is 1.0;
2. ``FLOPSCOPE_WEIGHTS_FILE=path.json``: that file;
3. otherwise the packaged official table, ``flopscope/data/weights.json``,
   produced by the calibration suite (``python -m calibration package``; see
   docs/calibration.md for the machine, mode and date it describes). A build
   without that file falls back to weights of 1.0 (the analytical model).

At run time:

* :func:`load_weights` loads a file (or, with no argument, the packaged table);
* :func:`reset_weights` clears any override and restores the packaged table;
* :func:`use_unit_weights` makes every weight 1.0 (the analytical model), as
  ``FLOPSCOPE_DISABLE_WEIGHTS=1`` does at import;
* :func:`get_weight` answers for any public spelling: operation names
  (``"absolute"``, ``"linalg.svd"``), NumPy's aliases (``"abs"``,
  ``"conj"``) and array methods (``"ndarray.sum"``).

A weights file is UTF-8 JSON with a ``"weights"`` object mapping operation
names to finite numbers in ``[0, MAX_WEIGHT]``. Operations it does not list
weigh 1.0, so a partial file (pointwise only, say) is valid, except that a
file listing some members of a weight group (:mod:`flopscope.cost.weight_groups`:
``matmul``, ``dot``, ``einsum``... are one computation) gives the unlisted
members the group's weight. A name that is no operation is reported with a
:class:`UnknownWeightNameWarning` and ignored; a malformed file raises
:class:`~flopscope.errors.WeightsFileError` and leaves the active table as it was.

The active table is one dict, :data:`ACTIVE_WEIGHTS`, mutated in place:
groups and aliases are resolved here, when a table is loaded, never per call.
The dispatch hot path does not even look weights up: it reads *charge factors*
(charge units per analytical FLOP, weight x multiplier x 2**64, exact) from
:func:`factor_table`, one small dict per multiplier, filled on first use and
emptied whenever the weight table changes in any way.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
import weakref
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Mapping

from flopscope.cost import charge_factor
from flopscope.cost.weight_groups import groups
from flopscope.errors import FlopscopeWarning, WeightsFileError

__all__ = [
    "ACTIVE_WEIGHTS",
    "MAX_WEIGHT",
    "UnknownWeightNameWarning",
    "load_weights",
    "reset_weights",
    "use_unit_weights",
    "weights_loaded",
    "get_weight",
    "canonical_name",
    "active_weights_source",
    "parse_weights",
    "read_weights_file",
    "resolve_groups",
    "packaged_weights_path",
    "factor_table",
    "fill_factor",
]

class WeightTable(dict):
    """The active weights (op name -> weight; absent names weigh 1.0).

    A dict whose every mutation empties the charge-factor tables, so that no
    factor computed from an older table survives a change, whichever way the
    table was changed (a file loaded, a weight registered, a test setting one
    entry).
    """

    def __setitem__(self, key: str, value: float) -> None:
        super().__setitem__(key, value)
        _forget_factors()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        _forget_factors()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        _forget_factors()

    def clear(self) -> None:
        super().clear()
        _forget_factors()

    def pop(self, *args: Any) -> Any:
        try:
            return super().pop(*args)
        finally:
            _forget_factors()

    def popitem(self) -> tuple[str, float]:
        try:
            return super().popitem()
        finally:
            _forget_factors()

    def setdefault(self, key: str, default: float = 1.0) -> float:
        try:
            return super().setdefault(key, default)
        finally:
            _forget_factors()

    def __ior__(self, other: Any) -> WeightTable:
        self.update(other)
        return self


#: The active table: op name -> weight. Absent names weigh 1.0.
ACTIVE_WEIGHTS: dict[str, float] = WeightTable()

class _FactorTable(dict):
    """Weight name -> charge units per analytical FLOP, for one multiplier."""

    __slots__ = ("__weakref__",)


#: Live charge-factor tables by multiplier. Weakly held: a table lives as long
#: as a context using it, so a server creating contexts with ever new
#: multipliers does not accumulate tables.
_FACTOR_TABLES: weakref.WeakValueDictionary[float, _FactorTable] = weakref.WeakValueDictionary()


def _forget_factors() -> None:
    # Emptied in place: contexts hold references to these dicts.
    for table in list(_FACTOR_TABLES.values()):
        table.clear()


def factor_table(multiplier: float) -> dict[str, int]:
    """The charge-factor cache of contexts with this multiplier (filled by :func:`fill_factor`).

    It maps a weight name to ``charge_factor(weight, multiplier)``; a context
    keeps a reference and the hot path reads it with one ``dict.get``.
    """
    table = _FACTOR_TABLES.get(multiplier)
    if table is None:
        table = _FACTOR_TABLES[multiplier] = _FactorTable()
    return table


def fill_factor(table: dict[str, int], multiplier: float, name: str) -> int:
    """Compute, cache in ``table`` and return the charge factor of ``name`` (a cache miss)."""
    factor = charge_factor(ACTIVE_WEIGHTS.get(name, 1.0), multiplier)
    table[name] = factor
    return factor

#: Largest accepted weight. Calibrated weights are below 2**8 (one analytical FLOP
#: of the dearest op costs a few hundred ``np.add`` elements); 2**20 leaves ample
#: room for hand-made tables while keeping analytical x weight x multiplier far
#: from float overflow (a 1e308 weight would turn the first charge into inf).
MAX_WEIGHT = float(2**20)

_state: dict[str, Any] = {"source": "unit weights (no table loaded)", "pending": None}


class UnknownWeightNameWarning(FlopscopeWarning):
    """A weights file names something that is not a flopscope operation (it is ignored)."""


def packaged_weights_path() -> Path | None:
    """Path of the packaged official weights file, or ``None`` if none ships."""
    candidate = resources.files("flopscope").joinpath("data", "weights.json")
    path = Path(str(candidate))
    return path if path.is_file() else None


def _number(name: str, value: object, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WeightsFileError(f"{source}: weight of {name!r} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # a JSON integer too large for a float
        raise WeightsFileError(
            f"{source}: weight of {name!r} overflows (larger than the maximum "
            f"{MAX_WEIGHT:g})") from None
    if not math.isfinite(number):
        raise WeightsFileError(f"{source}: weight of {name!r} is not finite ({value!r})")
    if number < 0:
        raise WeightsFileError(f"{source}: weight of {name!r} is negative ({value!r})")
    if number > MAX_WEIGHT:
        raise WeightsFileError(
            f"{source}: weight of {name!r} is {number:g}, above the maximum {MAX_WEIGHT:g} "
            "(analytical FLOPs x weight would overflow or be meaningless)")
    return number


def parse_weights(data: object, source: str) -> dict[str, float]:
    """Validate the decoded JSON of a weights file and return its table (names as given).

    Raises :class:`~flopscope.errors.WeightsFileError` naming ``source`` and
    the first problem found. Names are not checked here (see :func:`load_weights`).
    """
    if not isinstance(data, dict):
        raise WeightsFileError(
            f"{source}: expected a JSON object with a \"weights\" key, "
            f"got {type(data).__name__}"
        )
    if "weights" not in data:
        raise WeightsFileError(f"{source}: no \"weights\" key (found keys: {sorted(data)})")
    table = data["weights"]
    if not isinstance(table, dict):
        raise WeightsFileError(
            f"{source}: \"weights\" must map operation names to numbers, "
            f"got {type(table).__name__}"
        )
    return {name: _number(name, value, source) for name, value in table.items()}


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} is not a valid weight")


def read_weights_file(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read, decode and validate a weights file; its table with names as written."""
    source = os.fspath(path)
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise WeightsFileError(f"{source}: cannot read weights file ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WeightsFileError(
            f"{source}: not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})"
        ) from None
    try:
        # NaN / Infinity are not JSON; Python's parser accepts them unless told not to.
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise WeightsFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except ValueError as exc:
        raise WeightsFileError(f"{source}: {exc}") from None
    return parse_weights(data, source)


# -- names: aliases and groups ---------------------------------------------------------


def _alias_map() -> dict[str, str] | None:
    """Public spelling -> operation name, or ``None`` while the surface is not built.

    Built from the counted surface: NumPy's aliases bound to an entry's callable
    (``abs`` -> ``absolute``, ``linalg.<x>``...), and array methods
    (``ndarray.sum`` -> ``sum``).
    """
    cached = _state.get("aliases")
    if cached is not None:
        return cached
    try:
        from flopscope.numpy import _surface
        from flopscope.numpy._array_methods import FUNCTION_METHODS, OWN_METHODS
        from flopscope.registry import REGISTRY
    except ImportError:  # pragma: no cover - only while flopscope itself is importing
        return None
    if not getattr(_surface, "_built", False):
        return None
    by_callable = {id(fn): name for name, fn in _surface.CALLABLES.items()}
    aliases: dict[str, str] = {}
    for module, exports in _surface._EXPORTS.items():
        if module != "numpy" and not module.startswith("numpy."):
            continue
        prefix = module[len("numpy."):] + "." if module != "numpy" else ""
        for attr, fn in exports.items():
            name = by_callable.get(id(fn))
            spelled = prefix + attr
            if name is not None and spelled != name:
                aliases.setdefault(spelled, name)
    for method, name in {**FUNCTION_METHODS, **OWN_METHODS}.items():
        if name in REGISTRY:
            aliases.setdefault(f"ndarray.{method}", name)
    _state["aliases"] = aliases
    return aliases


def canonical_name(name: str) -> str:
    """The operation name ``name`` is charged under (``"abs"`` -> ``"absolute"``).

    Operation names and unknown names are returned unchanged.
    """
    from flopscope.registry import REGISTRY

    if name in REGISTRY:
        return name
    aliases = _alias_map()
    return aliases.get(name, name) if aliases else name


def resolve_groups(table: Mapping[str, float]) -> dict[str, float]:
    """``table`` with every weight group made whole.

    For a group some of whose members ``table`` lists, each unlisted member
    gets the reference's weight if the reference is listed, else the weight
    its listed members agree on (members listed with different weights and no
    reference: left as listed, nothing is guessed). Listed values are never changed.
    """
    resolved = dict(table)
    for group in groups():
        listed = {m: table[m] for m in group.members if m in table}
        if not listed:
            continue
        if group.reference in listed:
            value = listed[group.reference]
        elif len(set(listed.values())) == 1:
            value = next(iter(listed.values()))
        else:
            continue
        for member in group.members:
            resolved.setdefault(member, value)
    return resolved


def _canonicalize(table: Mapping[str, float], source: str, *, warn: bool) -> dict[str, float]:
    """Alias spellings mapped to their operation; names that are no operation dropped
    (with a warning naming them when ``warn``)."""
    from flopscope.registry import REGISTRY

    aliases = _alias_map() or {}
    result: dict[str, float] = {}
    unknown: list[str] = []
    for name, value in table.items():
        if name in REGISTRY:
            result[name] = value
    for name, value in table.items():
        if name in REGISTRY:
            continue
        target = aliases.get(name)
        if target is None:
            unknown.append(name)
        else:
            result.setdefault(target, value)  # the operation's own name wins over an alias
    if unknown and warn:
        shown = ", ".join(repr(n) for n in sorted(unknown)[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        warnings.warn(
            f"{source}: {len(unknown)} name(s) are not flopscope operations and are "
            f"ignored: {shown}{more}", UnknownWeightNameWarning, stacklevel=4)
    return result


def _prepare(table: Mapping[str, float], source: str, *, warn: bool = True) -> dict[str, float]:
    return resolve_groups(_canonicalize(table, source, warn=warn))


def _surface_ready() -> bool:
    """Whether the counted surface (hence the registry and the aliases) is built."""
    surface = sys.modules.get("flopscope.numpy._surface")
    return surface is not None and getattr(surface, "_built", False)


def _install(table: Mapping[str, float], source: str) -> None:
    ACTIVE_WEIGHTS.clear()
    ACTIVE_WEIGHTS.update(table)
    _state["source"] = source


def _install_file(path: str | os.PathLike[str], source: str) -> None:
    table = read_weights_file(path)
    if _surface_ready():
        _install(_prepare(table, os.fspath(path)), source)
        return
    # Loading from the environment while flopscope is still importing: groups are
    # pure data and resolve now; names are checked once the surface exists.
    _install(resolve_groups(table), source)
    _state["pending"] = (dict(table), os.fspath(path), source)


def finish_import() -> None:
    """Check the names of a table loaded before the surface existed (called once at import)."""
    pending, _state["pending"] = _state["pending"], None
    if pending is not None:
        table, path, source = pending
        _install(_prepare(table, path), source)


# -- the public API ------------------------------------------------------------------------


def load_weights(path: str | os.PathLike[str] | None = None) -> None:
    """Make the weights in ``path`` the active table.

    With no argument, (re)load the packaged official weights; if no packaged
    table ships, the active table becomes empty (every weight 1.0).
    Names that are not operations are ignored with an
    :class:`UnknownWeightNameWarning`; alias spellings (``"abs"``) set their
    operation's weight; unlisted members of a weight group get the group's weight.
    A malformed file raises :class:`~flopscope.errors.WeightsFileError` and
    leaves the active table unchanged.
    """
    if path is None:
        packaged = packaged_weights_path()
        if packaged is None:
            _install({}, "unit weights (no packaged table in this build)")
            return
        _install_file(packaged, f"packaged official weights ({packaged.name})")
        return
    _install_file(path, os.fspath(path))


def reset_weights() -> None:
    """Clear active overrides: restore the packaged official table.

    The same as ``load_weights()``; whatever was loaded before (a file, unit
    weights) is dropped. For the analytical model use :func:`use_unit_weights`.
    """
    load_weights()


def use_unit_weights() -> None:
    """Make every weight 1.0: charges equal analytical FLOPs (x ``flop_multiplier``).

    The run-time equivalent of ``FLOPSCOPE_DISABLE_WEIGHTS=1``; undo with
    :func:`reset_weights`.
    """
    _install({}, "unit weights (use_unit_weights)")


def get_weight(op_name: str) -> float:
    """Weight of ``op_name`` in the active table (1.0 when not listed).

    ``op_name`` may be any public spelling: an operation name (``"absolute"``),
    one of NumPy's aliases (``"abs"``) or an array method (``"ndarray.max"``);
    the answer is the weight the call is charged under.
    """
    weight = ACTIVE_WEIGHTS.get(op_name)
    if weight is not None:
        return weight
    return ACTIVE_WEIGHTS.get(canonical_name(op_name), 1.0)


@contextmanager
def weights_loaded(path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Run a block with the table in ``path`` (the packaged one by default), then restore.

    Whatever table was active before (a file, unit weights, run-time edits) is
    put back exactly, even if the block raises::

        with weights_loaded():            # the packaged weights a user gets
            ...
    """
    previous, source = dict(ACTIVE_WEIGHTS), _state["source"]
    try:
        load_weights(path)
        yield
    finally:
        _install(previous, source)


def active_weights_source() -> str:
    """Human-readable description of where the active table came from."""
    return _state["source"]


def _load_from_environment() -> None:
    if os.environ.get("FLOPSCOPE_DISABLE_WEIGHTS", "").strip() not in ("", "0", "false", "False"):
        _install({}, "unit weights (FLOPSCOPE_DISABLE_WEIGHTS is set)")
        return
    override = os.environ.get("FLOPSCOPE_WEIGHTS_FILE", "").strip()
    if override:
        _install_file(override, f"{override} (FLOPSCOPE_WEIGHTS_FILE)")
        return
    load_weights()


_load_from_environment()
