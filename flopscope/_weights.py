"""Per-operation weights: the factor that turns analytical FLOPs into calibrated ones.

``effective = analytical x flop_multiplier x weight(op_name)`` (SPEC.md section 3).

Which table is active is decided once at import and can be changed at run time:

1. ``FLOPSCOPE_DISABLE_WEIGHTS=1``: no table, every weight is 1.0;
2. ``FLOPSCOPE_WEIGHTS_FILE=path.json``: that file;
3. otherwise the packaged official table, ``flopscope/data/weights.json``,
   produced by the calibration suite (``python -m calibration package``; see
   docs/calibration.md for the machine, mode and date it describes). A build
   without that file falls back to weights of 1.0 (the analytical model).

A weights file is JSON with a ``"weights"`` object mapping operation names to
non-negative finite numbers. Operations it does not list weigh 1.0, so a
partial file (pointwise only, say) is valid.

The active table is one dict, :data:`ACTIVE_WEIGHTS`, mutated in place: the
dispatch hot path holds a reference to it and looks weights up directly.
"""

from __future__ import annotations

import json
import math
import os
from importlib import resources
from pathlib import Path
from typing import Mapping

from flopscope.errors import WeightsFileError

__all__ = [
    "ACTIVE_WEIGHTS",
    "load_weights",
    "reset_weights",
    "get_weight",
    "active_weights_source",
    "parse_weights",
    "packaged_weights_path",
]

#: The active table: op name -> weight. Absent names weigh 1.0.
ACTIVE_WEIGHTS: dict[str, float] = {}

_state = {"source": "unit weights (no table loaded)"}


def packaged_weights_path() -> Path | None:
    """Path of the packaged official weights file, or ``None`` if none ships."""
    candidate = resources.files("flopscope").joinpath("data", "weights.json")
    path = Path(str(candidate))
    return path if path.is_file() else None


def parse_weights(data: object, source: str) -> dict[str, float]:
    """Validate the decoded JSON of a weights file and return its table.

    Raises :class:`~flopscope.errors.WeightsFileError` naming ``source`` and
    the first problem found.
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
    parsed: dict[str, float] = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise WeightsFileError(
                f"{source}: weight of {name!r} must be a number, got {value!r}"
            )
        if not math.isfinite(value):
            raise WeightsFileError(f"{source}: weight of {name!r} is not finite ({value!r})")
        if value < 0:
            raise WeightsFileError(f"{source}: weight of {name!r} is negative ({value!r})")
        parsed[name] = float(value)
    return parsed


def _read_file(path: str | os.PathLike[str]) -> dict[str, float]:
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise WeightsFileError(f"{source}: cannot read weights file ({exc.strerror or exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WeightsFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    return parse_weights(data, source)


def _install(table: Mapping[str, float], source: str) -> None:
    ACTIVE_WEIGHTS.clear()
    ACTIVE_WEIGHTS.update(table)
    _state["source"] = source


def load_weights(path: str | os.PathLike[str] | None = None) -> None:
    """Make the weights in ``path`` the active table.

    With no argument, (re)load the packaged official weights; if no packaged
    table ships, the active table becomes empty (every weight 1.0).
    A malformed file raises :class:`~flopscope.errors.WeightsFileError` and
    leaves the active table unchanged.
    """
    if path is None:
        packaged = packaged_weights_path()
        if packaged is None:
            _install({}, "unit weights (no packaged table in this build)")
            return
        _install(_read_file(packaged), f"packaged official weights ({packaged.name})")
        return
    _install(_read_file(path), os.fspath(path))


def reset_weights() -> None:
    """Clear the active table: every weight becomes 1.0 (the analytical model)."""
    _install({}, "unit weights (reset)")


def get_weight(op_name: str) -> float:
    """Weight of ``op_name`` in the active table (1.0 when not listed)."""
    return ACTIVE_WEIGHTS.get(op_name, 1.0)


def active_weights_source() -> str:
    """Human-readable description of where the active table came from."""
    return _state["source"]


def _load_from_environment() -> None:
    if os.environ.get("FLOPSCOPE_DISABLE_WEIGHTS", "").strip() not in ("", "0", "false", "False"):
        _install({}, "unit weights (FLOPSCOPE_DISABLE_WEIGHTS is set)")
        return
    override = os.environ.get("FLOPSCOPE_WEIGHTS_FILE", "").strip()
    if override:
        _install(_read_file(override), f"{override} (FLOPSCOPE_WEIGHTS_FILE)")
        return
    load_weights()


_load_from_environment()
