"""Command line of the calibration suite (``python -m calibration``, from the repository root).

Commands::

    python -m calibration [run] --dtype float64 --output weights.json --html report.html --repeats 5
    python -m calibration plan [--category C ...] [--op NAME ...]   # what would run, how long
    python -m calibration package weights.json [--output flopscope/data/weights.json]
    python -m calibration report weights.json --html report.html [--compare other.json]
    python -m calibration compare weights.json other.json [--html comparison.html]
    python -m calibration finalize weights.json [--previous flopscope/data/weights.json]
    python -m calibration merge weights.json addition.json [--previous ...]  # ops added since

``run`` is the default command, so the seeds' invocation works as written.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any, Sequence

from calibration.categories import CATEGORIES
from calibration.modes import MODES

__all__ = ["main", "build_parser"]

_COMMANDS = ("run", "plan", "package", "report", "compare", "finalize", "merge")
PACKAGED_PATH = Path(__file__).resolve().parent.parent / "flopscope" / "data" / "weights.json"
QUICK_DIVISOR = 16
#: Timing mode: a size whose calls would take longer than this is not measured (two sizes min).
MAX_CALL_SECONDS = 0.1


class CliError(Exception):
    """A problem to report in one line, exit status 1."""


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="floating-point dtype of the inputs (default: float64)")
    parser.add_argument("--category", action="append", choices=CATEGORIES, metavar="CATEGORY",
                        help=f"measure only this category (repeatable): {', '.join(CATEGORIES)}")
    parser.add_argument("--op", action="append", metavar="NAME",
                        help="measure only this registry op (repeatable), e.g. exp, linalg.svd")
    parser.add_argument("--mode", choices=MODES, default="auto",
                        help="measurement mode (default: auto = perf if SIMD-weighted hardware "
                             "counters are usable, else timing; callgrind only on request)")
    parser.add_argument("--repeats", type=_positive_int, default=None,
                        help="independent measurements per op (default: 5; 1 in callgrind mode)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke-test settings: sizes divided by {QUICK_DIVISOR}, "
                             "2 ms timing loops")
    parser.add_argument("--size-divisor", type=_positive_int, default=None,
                        help="divide every size ladder by this (advanced; --quick uses "
                             f"{QUICK_DIVISOR})")
    parser.add_argument("--min-time", type=_positive_float, default=None,
                        help="timing mode: minimum duration of one timed loop, seconds "
                             "(default: 0.005)")
    parser.add_argument("--samples", type=_positive_int, default=5,
                        help="timing mode: timed loops per measurement, fastest counts (default 5)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="timing mode: untimed calls before timing (default 2)")
    parser.add_argument("--chunk-size", type=_positive_int, default=60,
                        help="ops per worker process (default 60)")
    parser.add_argument("--seed", type=int, default=20_240_601, help="seed of the input data")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (subcommands; ``run`` when none is named)."""
    parser = argparse.ArgumentParser(
        prog="python -m calibration",
        description="Measure flopscope's per-operation weights (see docs/calibration.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Without a command, `run` is assumed, e.g.\n"
               "  python -m calibration --dtype float64 --output weights.json "
               "--html report.html --repeats 5\n"
               "Options of each command: python -m calibration COMMAND --help")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="measure and write the rich weights file (default command)")
    _add_selection(run)
    run.add_argument("--output", default="weights.json",
                     help="rich weights file to write (default: weights.json)")
    run.add_argument("--html", help="also write the HTML report here")
    run.add_argument("--compare", help="rich weights file of another run, compared in the report")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    _add_previous(run)

    plan = sub.add_parser("plan", help="list what a run would measure and estimate its duration")
    _add_selection(plan)
    plan.add_argument("--verbose", action="store_true", help="list every op with its rule")

    package = sub.add_parser("package", help="derive the slim packaged runtime file")
    package.add_argument("rich", help="rich weights file written by a run")
    package.add_argument("--output", default=str(PACKAGED_PATH),
                         help=f"where to write it (default: {PACKAGED_PATH})")
    _add_previous(package)

    report = sub.add_parser("report", help="(re)write the HTML report of a run")
    report.add_argument("rich", help="rich weights file written by a run")
    report.add_argument("--html", required=True, help="HTML file to write")
    report.add_argument("--compare", help="rich weights file of another run to compare with")

    compare = sub.add_parser("compare", help="agreement between two runs (repeatability)")
    compare.add_argument("a", help="rich weights file")
    compare.add_argument("b", help="rich weights file")
    compare.add_argument("--html", help="write the report of A, with the comparison, here")

    finalize = sub.add_parser(
        "finalize", help="(re)compute the official values (groups, grid) of a rich file")
    finalize.add_argument("rich", help="rich weights file written by a run")
    finalize.add_argument("--output", help="where to write the result (default: in place)")
    _add_previous(finalize)

    merge = sub.add_parser(
        "merge", help="add the ops of a partial run (--op ...) to a full run, then finalize")
    merge.add_argument("rich", help="rich weights file of the full run (updated in place)")
    merge.add_argument("addition", help="rich weights file of a run of some ops only")
    merge.add_argument("--output", help="where to write the result (default: in place)")
    _add_previous(merge)
    return parser


def _add_previous(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--previous", metavar="WEIGHTS",
        help="weights file shipped before (e.g. flopscope/data/weights.json): its values "
             "are kept unless a measurement moved clearly away (hysteresis, see "
             "docs/calibration.md); default: none, plain snapping")


def _say(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _write_text(path: str, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


# -- run / plan ------------------------------------------------------------------------------

def _timing(args: argparse.Namespace) -> dict[str, Any]:
    min_time = args.min_time or (0.002 if args.quick else 0.005)
    return {"min_time": min_time, "samples": args.samples, "warmup": args.warmup,
            "max_call": MAX_CALL_SECONDS}


def _settings(args: argparse.Namespace, mode_name: str) -> Any:
    from calibration.runner import RunSettings

    return RunSettings(
        dtype=args.dtype,
        repeats=args.repeats or (1 if mode_name == "callgrind" else 5),
        size_divisor=args.size_divisor or (QUICK_DIVISOR if args.quick else 1),
        chunk_size=args.chunk_size,
        seed=args.seed,
    )


def _inventory(args: argparse.Namespace) -> Any:
    import numpy as np

    from calibration.inventory import take_inventory
    from flopscope.registry import REGISTRY

    return take_inventory(REGISTRY, np.dtype(args.dtype), categories=args.category,
                          names=args.op)


def _print_inventory(inventory: Any, verbose: bool) -> None:
    counts = inventory.counts_by_category()
    _say(f"Ops to measure: {len(inventory.measured)} "
         f"({', '.join(f'{c} {n}' for c, n in counts.items()) or 'none'})")
    _say(f"Zero-FLOP ops emitted at weight 0.0 without measuring: {len(inventory.zero)}")
    if inventory.skipped:
        _say(f"Skipped, cannot be measured ({len(inventory.skipped)}):")
        for skipped in inventory.skipped:
            _say(f"  {skipped.name} [{skipped.category}]: {skipped.reason}")
    if verbose:
        for op in inventory.measured:
            sizes = ", ".join(str(s) for s in op.spec.sizes())
            _say(f"  {op.category:<16} {op.name:<40} sizes {sizes}; {op.rule}")


def _command_line(argv: Sequence[str]) -> str:
    return "python -m calibration " + " ".join(shlex.quote(a) for a in argv)


def _unit(mode: Any) -> str:
    if mode.name == "timing":
        return "seconds"
    if mode.name == "callgrind":
        return "instructions (Ir)"
    return "FP operations" if mode.options.get("simd_weighted") else "instructions"


def _prepare(args: argparse.Namespace) -> tuple[Any, Any, Any, dict[str, Any]]:
    from calibration.estimate import estimate_seconds, format_duration
    from calibration.modes import choose_mode

    timing = _timing(args)
    mode = choose_mode(args.mode, args.dtype, timing)
    settings = _settings(args, mode.name)
    _say(f"Mode: {mode.name} ({mode.reason})")
    inventory = _inventory(args)
    _print_inventory(inventory, getattr(args, "verbose", False))
    estimate = estimate_seconds(inventory, settings, mode.name, mode.options or timing)
    _say(f"Repeats: {settings.repeats}; estimated time: about {format_duration(estimate)} "
         f"(the progress bar refines it)")
    return mode, settings, inventory, timing


def _run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from calibration.artifacts import build_rich, load_rich, write_json
    from calibration.estimate import format_duration
    from calibration.machine import library_info, machine_info
    from calibration.progress import make_progress
    from calibration.report import render_report
    from calibration.runner import REPO_ROOT, run_suite

    output = Path(args.output)
    if output.resolve() == PACKAGED_PATH:
        raise CliError("--output is the packaged runtime file; write the rich file elsewhere "
                       "and derive the packaged one with `python -m calibration package`")
    other = load_rich(args.compare) if args.compare else None
    mode, settings, inventory, timing = _prepare(args)
    if not inventory.measured:
        raise CliError("nothing to measure with this selection")
    result = run_suite(inventory, settings, mode, make_progress(args.quiet))
    meta = {
        "mode": mode.name, "mode_reason": mode.reason, "unit": _unit(mode),
        "probes": mode.probes, "mode_options": mode.options if mode.name != "timing" else timing,
        "dtype": settings.dtype, "repeats": settings.repeats,
        "size_divisor": settings.size_divisor, "categories": args.category, "ops": args.op,
        "seed": settings.seed, "command": _command_line(argv),
        "machine": machine_info(), "libraries": library_info(REPO_ROOT),
    }
    document = _finalized(build_rich(inventory, result, meta), args.previous)
    write_json(document, output)
    counts = document["meta"]["counts"]
    failed = {n: s["reason"] for n, s in document["skipped"].items()
              if n not in {sk.name for sk in inventory.skipped}}
    _say(f"Measured {counts['measured']} ops in {format_duration(result.duration)}; "
         f"{counts['zero']} zero-FLOP ops at 0.0; {counts['skipped']} skipped or failed.")
    for name, reason in failed.items():
        _say(f"  failed: {name}: {reason}")
    _say(f"Wrote {output}")
    if args.html:
        _write_text(args.html, render_report(document, other))
        _say(f"Wrote {args.html}")
    _say(f"Package it with: python -m calibration package {output}")
    return 0 if counts["measured"] else 1


def _plan(args: argparse.Namespace) -> int:
    _prepare(args)
    return 0


# -- package / report / compare ----------------------------------------------------------------

def _finalized(document: dict[str, Any], previous: str | None) -> dict[str, Any]:
    from calibration.official import finalize
    from flopscope._weights import read_weights_file
    from flopscope.errors import WeightsFileError

    table = None
    if previous:
        try:
            table = read_weights_file(previous)
        except WeightsFileError as exc:
            raise CliError(f"--previous: {exc}") from None
    return finalize(document, table, previous)


def _finalize(args: argparse.Namespace) -> int:
    from calibration.artifacts import load_rich, validate_rich, write_json

    rich = load_rich(args.rich)
    document = validate_rich(_finalized(rich, args.previous), args.rich)
    target = write_json(document, args.output or args.rich)
    groups = document["groups"]
    moved = sum(1 for g in groups.values()
                if g["previous"] is not None and g["previous"] != g["official"])
    _say(f"Wrote {target}: {len(groups)} groups, {len(document['weights'])} weights"
         + (f"; {moved} group(s) moved from the previous table" if args.previous else ""))
    return 0

def _merge(args: argparse.Namespace) -> int:
    """Ops measured (or found free) by a partial run replace or join the full run's.

    Each measurement is already a ratio to ``np.add`` timed in its own run, so
    ops of two runs can sit in one table; the merged file records both runs'
    metadata under ``meta["merged"]`` so the report says where each came from.
    """
    from calibration.artifacts import load_rich, validate_rich, write_json

    rich = load_rich(args.rich)
    addition = load_rich(args.addition)
    ops = dict(rich["ops"])
    added = {name: entry for name, entry in addition["ops"].items()
             if entry.get("status") in ("measured", "zero")}
    ops.update(added)
    document = dict(rich, ops=ops)
    meta = dict(document.get("meta", {}))
    meta.setdefault("merged", []).append(
        {"source": str(args.addition), "ops": sorted(added), "meta": addition.get("meta", {})})
    document["meta"] = meta
    document = validate_rich(_finalized(document, args.previous), args.rich)
    target = write_json(document, args.output or args.rich)
    _say(f"Wrote {target}: {len(added)} op(s) from {args.addition}, "
         f"{len(document['weights'])} weights")
    return 0


def _package(args: argparse.Namespace) -> int:
    from calibration.artifacts import load_rich, slim_from_rich, write_json

    rich = load_rich(args.rich)
    if "groups" not in rich or args.previous:
        rich = _finalized(rich, args.previous)
        _say(f"Official values computed from the measurements of {args.rich}"
             + (f" (previous table: {args.previous})" if args.previous else
                " (no previous table: plain snapping)"))
    slim = slim_from_rich(rich, Path(args.rich).name)
    target = write_json(slim, args.output)
    info = slim["calibration"]
    _say(f"Wrote {target}: {len(slim['weights'])} weights ({info['mode']} mode, {info['date']}, "
         f"{info['machine']})")
    return 0


def _report(args: argparse.Namespace) -> int:
    from calibration.artifacts import load_rich
    from calibration.report import render_report

    rich = load_rich(args.rich)
    other = load_rich(args.compare) if args.compare else None
    _write_text(args.html, render_report(rich, other))
    _say(f"Wrote {args.html}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from calibration.artifacts import load_rich
    from calibration.compare import compare_runs, format_comparison
    from calibration.report import render_report

    a, b = load_rich(args.a), load_rich(args.b)
    print(format_comparison(compare_runs(a, b, (args.a, args.b))))
    if a.get("groups") and b.get("groups"):
        from calibration.official import stability

        result = stability(a, b)
        print(f"official values, {result['groups']} groups: "
              f"{len(result['changed_independent'])} differ when each run is snapped on its "
              f"own ({', '.join(result['changed_independent']) or 'none'}); "
              f"{len(result['changed_sticky'])} would move if B were shipped after A "
              f"({', '.join(result['changed_sticky']) or 'none'})")
    if args.html:
        _write_text(args.html, render_report(a, b))
        _say(f"Wrote {args.html}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    from calibration.artifacts import CalibrationFileError
    from calibration.inventory import UnknownOpError
    from calibration.methodology import MeasurementError
    from calibration.modes import ModeUnavailableError

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in _COMMANDS and argv[0] not in ("-h", "--help"):
        argv_for_parser = ["run", *argv]
    else:
        argv_for_parser = argv
    args = build_parser().parse_args(argv_for_parser)
    handlers = {"run": lambda: _run(args, argv), "plan": lambda: _plan(args),
                "package": lambda: _package(args), "report": lambda: _report(args),
                "compare": lambda: _compare(args), "finalize": lambda: _finalize(args),
                "merge": lambda: _merge(args)}
    try:
        return handlers[args.command]()
    except (CliError, CalibrationFileError, ModeUnavailableError, UnknownOpError,
            MeasurementError) as exc:
        _say(f"error: {exc}")
        return 1
