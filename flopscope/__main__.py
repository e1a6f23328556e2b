"""Command line: ``python -m flopscope plan module:function --arg 256,256 ...``.

``plan`` imports the function, plans it with one input per ``--arg`` (a
shape, optionally with a dtype: ``256,256`` or ``256,256:float32``; ``()``
for a scalar), prints the plan's summary, and with ``--out`` writes the cost
diagram (``.svg``, drawn without Graphviz when it is not installed; ``.html``,
a self-contained report; ``.dot`` text; ``.png`` / ``.pdf`` rendered by
Graphviz). With ``--budget``, the summary says whether the function fits and
where a run would be refused, and the exit status is 1 if it does not fit.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["main", "parse_input", "load_target"]

#: Exit status when the planned function does not fit ``--budget`` (or planning failed).
EXIT_OVER_BUDGET = 1


def parse_input(text: str) -> Any:
    """``"256,256"`` -> ``(256, 256)``; ``"256,256:float32"`` -> a float32 spec; ``"()"`` -> ``()``."""
    import numpy as np

    from flopscope.planning import spec

    shape_text, _, dtype = text.partition(":")
    shape_text = shape_text.strip().strip("()[]").replace("x", ",").replace("×", ",")
    try:
        shape = tuple(int(part) for part in shape_text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a shape: use comma-separated sizes such as 256,256 "
            "(optionally :dtype, e.g. 256,256:float32)"
        ) from None
    if not dtype:
        return shape
    try:
        return spec(shape, np.dtype(dtype.strip()))
    except TypeError:
        raise argparse.ArgumentTypeError(f"{dtype!r} is not a NumPy dtype") from None


def _keyword_input(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r}: use NAME=SHAPE[:DTYPE], e.g. x=256,256")
    return name, parse_input(value)


def load_target(target: str) -> Callable[..., Any]:
    """The callable named by ``module:function`` or ``path/to/file.py:function``.

    The function part may be dotted (``module:Model.forward``). The current
    directory is importable, as with ``python -m``.
    """
    location, sep, attr = target.rpartition(":")
    if not sep or not location or not attr:
        raise SystemExit(f"error: expected module:function or file.py:function, got {target!r}")
    if location.endswith(".py") or os.sep in location or "/" in location:
        path = Path(location).resolve()
        if not path.is_file():
            raise SystemExit(f"error: no such file: {location}")
        sys.path.insert(0, str(path.parent))
        name = f"_flopscope_target_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        module_spec.loader.exec_module(module)  # type: ignore[union-attr]
    else:
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        module = importlib.import_module(location)
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise SystemExit(f"error: {location} has no attribute {attr!r}") from None
    if not callable(obj):
        raise SystemExit(f"error: {target} is not callable")
    return obj


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m flopscope", description="flopscope tools")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "plan",
        help="plan a function from input shapes: cost summary and diagram, nothing computed",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", help="module:function or path/to/file.py:function")
    p.add_argument("--arg", dest="args", action="append", default=[], type=parse_input,
                   metavar="SHAPE[:DTYPE]", help="a positional input, e.g. 256,256 or 256:float32")
    p.add_argument("--kwarg", dest="kwargs", action="append", default=[], type=_keyword_input,
                   metavar="NAME=SHAPE[:DTYPE]", help="a keyword input")
    p.add_argument("--budget", help="FLOP budget to check against, e.g. 1e8")
    p.add_argument("--multiplier", type=float, default=1.0, help="flop_multiplier (default 1)")
    p.add_argument("--out", help="write the diagram: .svg, .html (a report), .dot, or "
                   ".png/.pdf (these two need Graphviz)")
    p.add_argument("--group", choices=["auto", "none", "site", "namespace"], default="auto",
                   help="one node per call (none), per line of code (site), per operation and "
                   "namespace (namespace); auto (default) groups large graphs by site")
    p.add_argument("--engine", choices=["auto", "graphviz", "builtin"], default="auto",
                   help="who draws .svg: Graphviz if installed (auto), or always/never Graphviz")
    p.add_argument("--sites", type=int, default=10, help="call sites listed in the summary")
    p.add_argument("--listing", action="store_true", help="also print the graph, one call per line")
    return parser


def _run_plan(options: argparse.Namespace) -> int:
    from flopscope._config import parse_flop_count
    from flopscope.errors import FlopscopeError
    from flopscope.planning import plan

    budget = None
    if options.budget is not None:
        try:
            budget = parse_flop_count(float(options.budget), "--budget")
        except (TypeError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    fn = load_target(options.target)
    try:
        result = plan(fn, *options.args, flop_multiplier=options.multiplier,
                      **dict(options.kwargs))
    except FlopscopeError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_OVER_BUDGET
    print(result.summary(budget=budget, sites=options.sites))
    if options.listing:
        print()
        print(result.format_graph())
    if options.out:
        try:
            group = None if options.group == "none" else options.group
            written = result.save(options.out, group=group, budget=budget,
                                  engine=options.engine)
        except (FlopscopeError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_OVER_BUDGET
        print(f"\nwrote {written}")
    return EXIT_OVER_BUDGET if budget is not None and not result.fits(budget) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m flopscope`` and the ``flopscope`` script."""
    options = _build_parser().parse_args(argv)
    if options.command == "plan":
        return _run_plan(options)
    return 2  # pragma: no cover - argparse enforces a known command


if __name__ == "__main__":
    sys.exit(main())
