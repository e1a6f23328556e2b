"""Command line: ``flopscope plan module:function --arg 256,256 ...``.

``plan`` imports the function, plans it with one input per ``--arg`` (a
shape, optionally with a dtype: ``256,256`` or ``256,256:float32``; ``()``
for a scalar), prints the plan's summary, and with ``--out`` writes the cost
diagram (``.svg``, drawn without Graphviz when it is not installed; ``.html``,
a self-contained report; ``.dot`` text; ``.png`` / ``.pdf`` rendered by
Graphviz). With ``--budget``, the summary says whether the function fits and
where a run would be refused, and the exit status is 1 if it does not fit.

Also run as ``python -m flopscope``. Every mistake in how it is called (a
wrong option, an unknown module or function, inputs that do not match the
function's parameters) is reported as one ``error:`` line on stderr with exit
status 2; a plan that does not fit ``--budget`` exits with 1.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

__all__ = ["main", "parse_input", "load_target", "UsageError"]

#: Exit status when the planned function does not fit ``--budget`` (or planning failed).
EXIT_OVER_BUDGET = 1
#: Exit status of a usage error (argparse's convention).
EXIT_USAGE = 2
#: Exit status when stdout's reader closed the pipe early (as Python's docs suggest).
EXIT_BROKEN_PIPE = 1

PROG = "flopscope"

#: Help of ``flopscope plan`` (plain text: argparse prints it as is).
PLAN_DESCRIPTION = """\
Plan a function from input shapes: nothing is allocated or computed.

Imports the function, plans it with one input per --arg (a shape, optionally
with a dtype: 256,256 or 256,256:float32; () for a scalar), prints the plan's
summary, and with --out writes the cost diagram (.dot text, or .svg / .png /
.pdf rendered by Graphviz). With --budget, the summary says whether the
function fits and where a run would be refused, and the exit status is 1 if it
does not fit."""


class UsageError(Exception):
    """A mistake in how the command was called: reported as one ``error:`` line, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised as :class:`UsageError` instead of printed usage."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


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
        raise UsageError(f"expected module:function or file.py:function, got {target!r}")
    if location.endswith(".py") or os.sep in location or "/" in location:
        path = Path(location).resolve()
        if not path.is_file():
            raise UsageError(f"no such file: {location}")
        sys.path.insert(0, str(path.parent))
        name = f"_flopscope_target_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        module_spec.loader.exec_module(module)  # type: ignore[union-attr]
    else:
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(location)
        except ModuleNotFoundError as exc:
            # Only the target itself (or a package on its path) missing is a usage
            # error; a module the target imports failing is the target's own bug.
            if exc.name is None or not (location == exc.name or location.startswith(exc.name + ".")):
                raise
            raise UsageError(f"no module named {location!r} (run from the directory that "
                             "contains it, or give path/to/file.py:function)") from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"{location} has no attribute {attr!r}") from None
    if not callable(obj):
        raise UsageError(f"{target} is not callable")
    return obj


def _build_parser() -> argparse.ArgumentParser:
    from flopscope import __version__

    parser = _Parser(prog=PROG, description="flopscope command line tools")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser(
        "plan",
        help="plan a function from input shapes: cost summary and diagram, nothing computed",
        description=PLAN_DESCRIPTION,
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
            return EXIT_USAGE
    fn = load_target(options.target)
    _check_arguments(fn, options)
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


def _check_arguments(fn: Callable[..., Any], options: argparse.Namespace) -> None:
    """Refuse inputs that do not match ``fn``'s parameters before planning it."""
    import inspect

    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: let the call decide
        return
    try:
        signature.bind(*options.args, **dict(options.kwargs))
    except TypeError as exc:
        raise UsageError(
            f"{options.target}{signature} cannot take the inputs given "
            f"({len(options.args)} --arg, {len(options.kwargs)} --kwarg): {exc}"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m flopscope`` and the ``flopscope`` script.

    Returns the exit status: 0, 1 (over budget or planning failed) or 2 (usage error).
    """
    try:
        options = _build_parser().parse_args(argv)
        if options.command == "plan":
            status = _run_plan(options)
            sys.stdout.flush()  # a closed pipe surfaces here, not at interpreter exit
            return status
        return EXIT_USAGE  # pragma: no cover - argparse enforces a known command
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``flopscope plan ... | head``): stop quietly. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
