"""Generated reference documents: every registry entry, and every blocked name.

Both documents are built from the registry and committed under ``docs/``;
``tests/test_reference_docs.py`` regenerates them and fails when the
committed copies are out of date. Regenerate with::

    python -m flopscope._reference > docs/reference/operations.md
    python -m flopscope._reference blocked > docs/blocked.md

or write both at once with ``python -m flopscope._reference --write``.

Weights come from the packaged weights file (``flopscope/data/weights.json``)
when one ships, never from the environment, so the documents do not depend
on ``FLOPSCOPE_WEIGHTS_FILE`` or ``FLOPSCOPE_DISABLE_WEIGHTS``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

from flopscope._weights import packaged_weights_path, parse_weights, resolve_groups
from flopscope.cost.weight_groups import group_of, groups
from flopscope.registry import REGISTRY, Category, OpDef
from flopscope.registry.passthrough import (
    AVAILABLE_NOTES,
    WITHHELD_BY_MODULE,
    WITHHELD_MODULES,
    passthrough_names,
)

__all__ = [
    "OPERATIONS_PATH",
    "BLOCKED_PATH",
    "REGENERATE",
    "operations_markdown",
    "blocked_markdown",
    "public_name",
    "withheld_names",
    "main",
]

_DOCS = Path("docs")
#: Where the generated documents live, relative to the repository root.
OPERATIONS_PATH = _DOCS / "reference" / "operations.md"
BLOCKED_PATH = _DOCS / "blocked.md"
#: The commands that regenerate them (quoted by the documents and their test).
REGENERATE = {
    OPERATIONS_PATH: f"python -m flopscope._reference > {OPERATIONS_PATH.as_posix()}",
    BLOCKED_PATH: f"python -m flopscope._reference blocked > {BLOCKED_PATH.as_posix()}",
}

#: Modules first in the documents, in this order; any other follows alphabetically.
_MODULE_ORDER = (
    "numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.random.Generator",
    "numpy.random.RandomState", "numpy.polynomial", "numpy.testing", "numpy.ndarray",
    "flopscope.stats",
)
#: NumPy modules whose pass-through and withheld names the documents count.
_PUBLIC_MODULES = ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.testing")
#: Seed documents' figure for blocked operations (readme: "473 supported, 35 blocked").
_SEED_BLOCKED = 35
_NONE = "—"


# -- naming and formatting --------------------------------------------------------------


def public_name(module: str, attr: str) -> str:
    """How users spell an entry: ``fnp.exp``, ``fnp.linalg.svd``, ``flops.stats.norm.pdf``."""
    for prefix, alias in (("numpy", "fnp"), ("flopscope", "flops")):
        if module == prefix or module.startswith(prefix + "."):
            return f"{alias}{module[len(prefix):]}.{attr}"
    return f"{module}.{attr}"


def _cell(text: str) -> str:
    """``text`` as one Markdown table cell."""
    text = " ".join(str(text).split())
    return text.replace("|", "\\|") if text else _NONE


def _code(text: str) -> str:
    return f"`{text}`" if text else _NONE


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _module_key(module: str) -> tuple[int, str]:
    return (_MODULE_ORDER.index(module), "") if module in _MODULE_ORDER else (
        len(_MODULE_ORDER), module)


def _by_module(ops: Iterable[OpDef]) -> dict[str, list[OpDef]]:
    grouped: dict[str, list[OpDef]] = defaultdict(list)
    for op in ops:
        grouped[op.module].append(op)
    return {m: sorted(grouped[m], key=lambda op: op.attr)
            for m in sorted(grouped, key=_module_key)}


# -- weights and aliases --------------------------------------------------------------


def _packaged_weights() -> dict[str, float] | None:
    """The packaged official weights table, or ``None`` when none ships yet."""
    path = packaged_weights_path()
    if path is None:
        return None
    return resolve_groups(parse_weights(json.loads(path.read_text()), str(path)))


def _weight(op: OpDef, weights: dict[str, float] | None) -> str:
    if weights is None or op.category is Category.BLOCKED:
        return _NONE
    if op.name in weights:
        return f"{weights[op.name]:g}"
    return "1 (default)" if op.category.counted else _NONE


def _group(op: OpDef) -> str:
    group = group_of(op.name)
    if group is None:
        return _NONE if not op.category.counted else "(own)"
    return f"[{group.name}](#weight-groups)"


def _groups_section(weights: dict[str, float] | None) -> list[str]:
    """The weight groups: spellings of one computation, charged one weight."""
    lines = [
        "", "## Weight groups", "",
        "A weight belongs to a computation, not to a spelling: the operations of a group "
        "compute the same values with the same analytical formula and are charged one "
        "weight, measured by the calibration on the group's *reference* (NumPy's fastest "
        "kernel for the computation) and given to every member. An operation in no group "
        "has a weight of its own. Methods (`x.max()`) and NumPy's aliases (`fnp.abs`) are "
        "charged as the operation they call. The table is "
        "`flopscope/cost/weight_groups.py`; see docs/calibration.md.",
        "",
    ]
    lines += _table(
        ["group", "reference", "weight", "members", "computation"],
        ([g.name, _code(g.reference),
          _NONE if weights is None else f"{weights.get(g.reference, 1.0):g}",
          ", ".join(_code(m) for m in g.members), g.computation]
         for g in groups()),
    )
    return lines


def _public_module(module: str) -> object | None:
    try:
        return importlib.import_module("flopscope." + module)
    except ImportError:
        return None


def withheld_names(module: str) -> dict[str, str]:
    """Names of NumPy's ``module`` that flopscope withholds in effect, with the reason.

    A name listed as withheld but provided by flopscope itself (``fnp.ndarray``,
    ``fnp.random.Generator``: flopscope's own counted classes) is not withheld.
    """
    real = importlib.import_module(module)
    public = _public_module(module)
    return {
        name: reason
        for name, reason in sorted(WITHHELD_BY_MODULE.get(module, {}).items())
        if hasattr(real, name) and (public is None or name not in vars(public))
    }


def _aliases() -> dict[str, list[str]]:
    """Entry name -> the other public names NumPy binds to the same callable (``abs``)."""
    from flopscope.numpy._surface import CALLABLES

    by_callable = {id(fn): name for name, fn in CALLABLES.items()}
    found: dict[str, list[str]] = defaultdict(list)
    for module in {op.module for op in REGISTRY.values()}:
        public = _public_module(module)
        if public is None:
            continue
        for attr, value in vars(public).items():
            name = by_callable.get(id(value))
            if name is not None and REGISTRY[name].attr != attr and not attr.startswith("_"):
                found[name].append(public_name(module, attr))
    return {name: sorted(names) for name, names in found.items()}


# -- the operations reference ----------------------------------------------------------


def operations_markdown() -> str:
    """The per-operation reference: one table row per registry entry, grouped by module."""
    weights = _packaged_weights()
    aliases = _aliases()
    grouped = _by_module(REGISTRY.values())
    categories = [c.value for c in Category]
    lines = [
        "# Operation reference",
        "",
        f"<!-- Generated from the registry by `{REGENERATE[OPERATIONS_PATH]}`. "
        "Do not edit by hand. -->",
        "",
        "Every callable flopscope knows, with its category and analytical cost formula "
        "(one fused multiply-add = 1 FLOP). *weight* is the calibrated factor from the "
        "packaged weights file (`flopscope/data/weights.json`), shared by every member of "
        "the op's [weight group](#weight-groups); "
        + ("it is applied as analytical × weight." if weights is not None else
           "no weights file ships yet, so every weight is 1 and the column shows "
           f"{_NONE}.")
        + " Free operations cost 0 and are not logged; blocked ones raise `AttributeError` "
        "(see [blocked.md](../blocked.md)).",
        "",
        "Creation is free when it only places constants, copies or an evenly spaced "
        "progression (`zeros`, `full`, `eye`, `array`, `arange`, `linspace`); creation that "
        "evaluates a function per element is counted for it (`logspace`: a power per sample, "
        "what `base ** fnp.linspace(...)` costs; `geomspace`). Index arithmetic "
        "(`ravel_multi_index`, `unravel_index`) and masked writes (`copyto` with `where=`, "
        "`putmask`, `place`) compute per element and are counted. A ufunc or function with "
        "no entry here is refused with `TypeError` when it reaches a flopscope array; declare "
        "a cost with `flops.counted` / `flops.register_ufunc` "
        "(see [custom-ops.md](../custom-ops.md)).",
        "",
        "## Summary",
        "",
    ]
    counts = {m: Counter(op.category.value for op in ops) for m, ops in grouped.items()}
    lines += _table(
        ["module", *categories, "total"],
        ([m, *(str(c[k]) for k in categories), str(sum(c.values()))] for m, c in counts.items()),
    )
    total = Counter(op.category.value for op in REGISTRY.values())
    lines += [
        f"| **all** | {' | '.join(f'**{total[k]}**' for k in categories)} | "
        f"**{len(REGISTRY)}** |",
        "",
        "Names NumPy exports that are not callables flopscope counts: *pass-through* "
        "(constants, dtypes, type helpers, exposed as NumPy's own objects) and *withheld* "
        "(classes and submodules that would compute uncounted; they raise `AttributeError`).",
        "",
    ]
    lines += _table(
        ["module", "pass-through", "withheld"],
        ([m, str(len(passthrough_names(m))), str(len(withheld_names(m)))]
         for m in _PUBLIC_MODULES),
    )
    lines += _groups_section(weights)
    for module, ops in grouped.items():
        lines += ["", f"## `{module}`", ""]
        lines += _table(
            ["public name", "op", "category", "formula", "weight", "group", "notes"],
            (
                [
                    ", ".join(_code(n) for n in [public_name(op.module, op.attr),
                                                 *aliases.get(op.name, [])]),
                    _code(op.name),
                    op.category.value,
                    op.formula,
                    _weight(op, weights),
                    _group(op),
                    op.notes,
                ]
                for op in ops
            ),
        )
    return "\n".join(lines) + "\n"


# -- the blocked list --------------------------------------------------------------------


def blocked_markdown() -> str:
    """Every blocked callable and withheld name, with the reason users see."""
    blocked = [op for op in REGISTRY.values() if op.category is Category.BLOCKED]
    grouped = _by_module(blocked)
    withheld = {m: names for m in _PUBLIC_MODULES if (names := withheld_names(m))}
    n_withheld = sum(len(names) for names in withheld.values())
    n_modules = sum(
        name in WITHHELD_MODULES.get(m, {}) for m, names in withheld.items() for name in names
    )
    lines = [
        "# Blocked and withheld names",
        "",
        f"<!-- Generated from the registry by `{REGENERATE[BLOCKED_PATH]}`. "
        "Do not edit by hand. -->",
        "",
        "Some NumPy names are deliberately unavailable in flopscope. Looking one up "
        "(`fnp.save`) raises `AttributeError` whose message says why and what to do "
        "instead, and so does calling NumPy's own function on a flopscope array "
        "(`np.save(f, x)`). They fall into four groups:",
        "",
        "* **file I/O** (`save`, `load`, `fromfile`, `memmap`...): budgeted code computes "
        "on the arrays it is given and returns arrays; files belong to the caller;",
        "* **process configuration** (`set_printoptions`, `seterr`, "
        "`setbufsize`...): global NumPy state that budgeted code must not change;",
        "* **system, introspection and test infrastructure** (`show_config`, `info`, the "
        "`test` runners, most helpers of `numpy.testing`);",
        "* **computation flopscope cannot count**: Python run per element (`frompyfunc`, "
        "`vectorize`, `nditer`), `numpy.matrix`, `poly1d`, masked and record arrays, "
        "business-day arithmetic, and NumPy submodules of uncounted functions.",
        "",
        f"**{len(blocked)} callables are blocked** "
        f"({', '.join(f'{len(ops)} in `{m}`' for m, ops in grouped.items())}), and "
        f"**{n_withheld} names are withheld** ({n_withheld - n_modules} classes, "
        f"{n_modules} submodules). The seed documents quote {_SEED_BLOCKED} blocked "
        "operations; this list is longer because it classifies every public name of the "
        "installed NumPy, including `numpy.testing`'s infrastructure, the `ndarray` "
        "methods that write files, and the business-day and `numpy.matrix` helpers.",
        "",
        "## Blocked callables",
    ]
    for module, ops in grouped.items():
        lines += ["", f"### `{module}`", ""]
        lines += _table(
            ["name", "why, and what to do instead"],
            ([_code(public_name(op.module, op.attr)), op.notes] for op in ops),
        )
    lines += ["", "## Withheld classes and submodules"]
    for module in sorted(withheld, key=_module_key):
        lines += ["", f"### `{module}`", ""]
        lines += _table(
            ["name", "kind", "why, and what to do instead"],
            (
                [_code(public_name(module, name)),
                 "module" if name in WITHHELD_MODULES.get(module, {}) else "class",
                 reason]
                for name, reason in withheld[module].items()
            ),
        )
    lines += ["", "## Available, though close to blocked names", ""]
    lines += _table(["name", "why it is available"],
                    ([_code(name), note] for name, note in AVAILABLE_NOTES.items()))
    return "\n".join(lines) + "\n"


# -- command line -------------------------------------------------------------------------

_DOCUMENTS = {"operations": (OPERATIONS_PATH, operations_markdown),
              "blocked": (BLOCKED_PATH, blocked_markdown)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flopscope._reference",
        description="Print a reference document generated from the registry.",
    )
    parser.add_argument("document", nargs="?", default="operations", choices=sorted(_DOCUMENTS),
                        help="which document to print (default: operations)")
    parser.add_argument("--write", action="store_true",
                        help="write every document under docs/ instead of printing one")
    args = parser.parse_args(argv)
    if args.write:
        for path, build in _DOCUMENTS.values():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(build(), encoding="utf-8")
            print(f"wrote {path}")
        return 0
    sys.stdout.write(_DOCUMENTS[args.document][1]())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
