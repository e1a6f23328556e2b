"""The two weight files: the rich calibration record and the slim packaged table.

Rich file (``--output``, schema :data:`calibration.SCHEMA`)::

    {
      "schema": "flopscope-calibration/1",
      "weights": {"add": 1.0, "exp": 4.0, "dot": 0.125, "reshape": 0.0, ...},  # official
      "meta":    {"date", "mode", "mode_reason", "unit", "dtype", "repeats", "machine",
                  "libraries", "reference", "duration_s", "command", ...},
      "ops":     {"exp": {"category", "status": "measured", "measured", "weight", "group",
                          "alpha_raw", "overhead", "overhead_source", "per_repeat", "spread",
                          "sizes": [{"size", "flops", "alpha_raw"}], ...},
                  "vdot": {"category", "status": "group", "weight", "group"},  # not measured
                  "reshape": {"category": "zero-flop", "status": "zero", "weight": 0.0}},
      "groups":  {"contraction": {"reference", "members", "source", "measured", "spread",
                                  "per_repeat", "previous", "official", "margin", ...}},
      "skipped": {"isnat": {"category", "reason"}, ...}
    }

``"measured"`` is what the run measured for an op; ``"weight"`` (and the
top-level ``"weights"``) the official value derived from the measurements by
:mod:`calibration.official` (one weight per group, snapped to a coarse grid),
which ``package`` ships.

Its ``"weights"`` mapping is in the format :mod:`flopscope._weights` reads, so
the rich file can itself be given to ``FLOPSCOPE_WEIGHTS_FILE``.

Slim file (``flopscope/data/weights.json``): ``{"weights": {...}, "calibration":
{mode, date, dtype, machine, ...}}`` -- the weights flopscope loads on import and a
few lines saying where they came from (flopscope ignores the extra key).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from calibration import SCHEMA
from calibration.inventory import Inventory
from calibration.machine import describe_machine
from calibration.methodology import (
    MeasurementError,
    alpha_by_size,
    combine_repeats,
    estimate_repeat,
    overhead_source,
)
from calibration.runner import SuiteResult

__all__ = [
    "CalibrationFileError", "build_rich", "write_json", "load_rich", "validate_rich",
    "slim_from_rich", "rounded",
]


class CalibrationFileError(ValueError):
    """A calibration results file that cannot be read or does not have the expected shape."""


def rounded(value: float, digits: int = 4) -> float:
    """``value`` to ``digits`` significant digits (weights are not more precise than that)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


def _per_distribution(samples_refs: list) -> dict[str, float]:
    grouped: dict[str, list[float]] = {}
    for sample, ref in samples_refs:
        grouped.setdefault(sample.dist, []).append(sample.value / (sample.flops * ref.unit))
    return {dist: rounded(statistics.median(v)) for dist, v in sorted(grouped.items())}


def _measured_entry(run: Any, rule: str) -> dict[str, Any]:
    estimates = [estimate_repeat(samples, run.category, ref)
                 for samples, ref in run.repeats.values()]
    combined = combine_repeats(estimates)
    pairs = [(s, ref) for samples, ref in run.repeats.values() for s in samples]
    return {
        "category": run.category,
        "status": "measured",
        "weight": rounded(combined.weight),
        "alpha_raw": rounded(combined.alpha_raw),
        "overhead": rounded(combined.overhead),
        "overhead_source": overhead_source(run.category),
        "per_repeat": [rounded(w) for w in combined.per_repeat],
        "spread": rounded(combined.spread),
        "repeats_ok": len(run.repeats),
        "sizes": [{**row, "alpha_raw": rounded(row["alpha_raw"])} for row in alpha_by_size(pairs)],
        "distributions": _per_distribution(pairs),
        "out": run.used_out,
        "placement": rule,
        "seconds": round(run.seconds, 3),
        "errors": run.errors,
    }


def _reference_summary(result: SuiteResult) -> dict[str, Any]:
    references = result.references
    if not references:
        return {}
    return {
        "dispatch_median": statistics.median(r["dispatch"] for r in references),
        "unit_median": statistics.median(r["unit"] for r in references),
        "per_repeat": result.pooled,
        "per_worker": [{k: r[k] for k in ("repeat", "category", "dispatch", "unit")}
                       for r in references],
    }


def build_rich(inventory: Inventory, result: SuiteResult,
               meta: Mapping[str, Any]) -> dict[str, Any]:
    """The rich document of a run. ``meta`` carries mode, settings, machine, libraries..."""
    rules = {op.name: op.rule for op in inventory.measured}
    ops: dict[str, dict[str, Any]] = {}
    skipped: dict[str, dict[str, str]] = {
        s.name: {"category": s.category, "reason": s.reason} for s in inventory.skipped
    }
    for name, run in sorted(result.ops.items()):
        if not run.repeats:
            skipped[name] = {"category": run.category,
                             "reason": "measurement failed: " + "; ".join(run.errors)}
            continue
        try:
            ops[name] = _measured_entry(run, rules.get(name, ""))
        except MeasurementError as exc:
            skipped[name] = {"category": run.category, "reason": f"no weight: {exc}"}
    for name in inventory.zero:
        ops[name] = {"category": "zero-flop", "status": "zero", "weight": 0.0}
    ops = dict(sorted(ops.items()))
    measured = sum(1 for e in ops.values() if e["status"] == "measured")
    full_meta = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **meta,
        "duration_s": round(result.duration, 1),
        "reference": _reference_summary(result),
        "counts": {"measured": measured, "zero": len(inventory.zero),
                   "skipped": len(skipped), "blocked_not_listed": len(inventory.blocked)},
    }
    return {
        "schema": SCHEMA,
        "weights": {name: entry["weight"] for name, entry in ops.items()},
        "meta": full_meta,
        "ops": ops,
        "skipped": dict(sorted(skipped.items())),
    }


def write_json(document: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``document`` as JSON to ``path`` atomically (no half-written file on failure)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; these files are meant to be shared
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return target


def _parse_weights(data: object, source: str) -> dict[str, float]:
    from flopscope._weights import parse_weights
    from flopscope.errors import WeightsFileError

    try:
        return parse_weights(data, source)
    except WeightsFileError as exc:
        raise CalibrationFileError(str(exc)) from None


def validate_rich(data: object, source: str) -> dict[str, Any]:
    """Check that ``data`` (decoded JSON) is a rich calibration document; return it."""
    if not isinstance(data, dict):
        raise CalibrationFileError(f"{source}: expected a JSON object, got {type(data).__name__}")
    if data.get("schema") != SCHEMA:
        found = data.get("schema", "none")
        hint = (" (this looks like a slim packaged weights file; pass the rich file "
                "written by --output)" if "weights" in data and "ops" not in data else "")
        raise CalibrationFileError(
            f"{source}: not a calibration results file: schema {found!r}, "
            f"expected {SCHEMA!r}{hint}")
    for key, kind in (("meta", dict), ("ops", dict), ("skipped", dict)):
        if not isinstance(data.get(key), kind):
            raise CalibrationFileError(f"{source}: \"{key}\" must be a JSON object")
    weights = _parse_weights(data, source)
    for name, entry in data["ops"].items():
        if not isinstance(entry, dict) or not {"category", "status", "weight"} <= entry.keys():
            raise CalibrationFileError(
                f"{source}: ops entry {name!r} needs \"category\", \"status\" and \"weight\"")
        if weights.get(name) != entry["weight"]:
            raise CalibrationFileError(
                f"{source}: weight of {name!r} differs between \"weights\" and \"ops\"")
    missing = weights.keys() - data["ops"].keys()
    if missing:
        raise CalibrationFileError(f"{source}: weights without an ops entry: {sorted(missing)[:5]}")
    for key in ("mode", "date"):
        if key not in data["meta"]:
            raise CalibrationFileError(f"{source}: \"meta\" has no {key!r}")
    return data


def load_rich(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a rich calibration file; :class:`CalibrationFileError` if malformed."""
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalibrationFileError(f"{source}: cannot read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalibrationFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return validate_rich(data, source)


def slim_from_rich(rich: Mapping[str, Any], source_name: str = "weights.json") -> dict[str, Any]:
    """The packaged runtime table derived from a rich document (validated by flopscope's parser)."""
    meta = rich["meta"]
    weights = {name: float(w) for name, w in sorted(rich["weights"].items())}
    slim = {
        "weights": weights,
        "calibration": {
            "source": f"{source_name} ({rich.get('schema')})",
            "generated_by": "python -m calibration package",
            "mode": meta.get("mode"),
            "date": meta.get("date"),
            "dtype": meta.get("dtype"),
            "machine": describe_machine(meta.get("machine", {})),
            "numpy": meta.get("libraries", {}).get("numpy"),
            "blas": meta.get("libraries", {}).get("blas"),
            "ops_measured": meta.get("counts", {}).get("measured"),
            "ops_zero": meta.get("counts", {}).get("zero"),
            "repeats": meta.get("repeats"),
            "official_rule": meta.get("official", {}).get("rule"),
            "groups": {name: {"reference": g["reference"], "members": g["members"],
                              "measured": g["measured"], "spread": g["spread"],
                              "weight": g["official"]}
                       for name, g in rich.get("groups", {}).items() if len(g["members"]) > 1},
        },
    }
    _parse_weights(slim, "packaged weights")
    return slim
