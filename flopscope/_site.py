"""Generated pages of the documentation site: one page per operation, and the API reference.

Nothing here is written by hand per operation: every page is built from the
registry (:mod:`flopscope.registry`), the packaged weights, the symmetry rules
and the public modules' docstrings. The MkDocs hook (``tools/mkdocs_hooks.py``)
adds these pages to the site at build time, so they cannot go stale;
``python -m flopscope._site --out DIR`` writes them to a folder to read them
without building the site.

Pages (paths relative to ``docs/``):

* ``api/<op>.md`` for every registry entry (served at ``api/<op>/``): NumPy
  signature, category, formula and its derivation, packaged weight (and weight
  group, when the weights table defines groups), how symmetry changes the
  cost, a worked example executed while the page is generated (with the charge
  it printed), and for blocked operations the reason, the alternative and the
  error actually raised;
* ``api/index.md``: every operation, grouped by module, linking to its page;
* ``api/flopscope.md``, ``api/flopscope.numpy.md``, ...: every public name of
  the package's modules, with signature and docstring (operations link to
  their pages).

Worked examples take their arguments from the sample table of
``tests/test_plan_registry.py`` (arguments known to work for every entry),
render them as literal Python and execute the rendered text, so the code on a
page is exactly the code that ran. They run with the packaged weights loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from flopscope._reference import _aliases, _by_module, _packaged_weights, public_name
from flopscope.registry import REGISTRY, Category, OpDef

__all__ = ["op_page_path", "op_page", "op_pages", "operations_index", "api_pages", "all_pages",
           "main"]

ROOT = Path(__file__).resolve().parent.parent

_CATEGORY_TEXT = {
    Category.UNARY: ("pointwise, one input",
                     "One operation per element of the result: numel(output). Elementwise work "
                     "is one evaluation per output element whatever the function; the packaged "
                     "weight carries how expensive that evaluation is relative to an addition."),
    Category.BINARY: ("pointwise, two or more inputs",
                      "One operation per element of the broadcast result: numel(output). "
                      "Broadcasting does not add work: each output element is computed once."),
    Category.REDUCTION: ("reduction",
                         "One operation per element read: numel(input). Combining n values "
                         "takes n − 1 operations; flopscope counts n (reading the first value "
                         "into the accumulator is counted too), so the rule is numel(input) for "
                         "any axis choice."),
    Category.CUSTOM: ("counted, own formula", ""),
    Category.FREE: ("free",
                    "0 FLOPs: the call creates, views, moves or describes data without "
                    "arithmetic. Free calls are not logged and never touch a budget."),
    Category.BLOCKED: ("blocked",
                       "Refused: the callable raises `AttributeError` (it does I/O, changes "
                       "global configuration, or cannot be counted)."),
}

_SYMMETRY_TEXT = {
    "_pointwise": "Pointwise on symmetric data: a `SymmetricTensor` input is charged for the "
                  "distinct elements of the result only (n(n+1)/2 for a symmetric (n, n) "
                  "matrix), and the result keeps the symmetry every operand shares.",
    "_reduction": "Reduction over symmetric data: the charge is the number of orbits of the "
                  "reduced index space (Burnside's lemma), e.g. 6 instead of 9 for the full sum "
                  "of a symmetric 3×3 matrix; reducing one axis of a symmetric matrix is not "
                  "cheaper.",
    "_cumulative": "Cumulative along an axis: symmetry groups not containing that axis carry "
                   "over to the result; the charge is the dense one.",
    "_einsum": "Symmetry-aware: the same Python object at several operand positions, or "
               "operands declared symmetric, reduce each contraction step to its distinct "
               "terms (the Gram matrix `einsum('ij,ik->jk', X, X)` costs about half), and the "
               "result carries the implied symmetry.",
    "_einsum_path": "Reports the symmetry-aware contraction path and its per-step costs.",
    "_matmul_family": "As the equivalent einsum: the same array on both sides (`X.T @ X`) or "
                      "declared symmetric operands reduce the charge to the distinct terms.",
    "_view": "Free view: symmetry groups the view leaves intact carry over (renumbered for "
             "transposes).",
    "_in_place": "Writes into its first argument: a `SymmetricTensor` written to is re-checked "
                 "and loses the symmetry that no longer holds.",
    "_default": "No symmetry discount: symmetric inputs are charged the dense formula, and the "
                "result is a plain array.",
}


def op_page_path(name: str) -> str:
    """Where operation ``name``'s page lives, relative to ``docs/`` (served at ``api/<name>/``)."""
    return f"api/{name}.md"


# -- signatures, weights, symmetry -------------------------------------------------------------


def _signature(op: OpDef) -> str:
    spelled = public_name(op.module, op.attr)
    target = op.numpy_func if op.numpy_func is not None else op.impl
    if isinstance(target, np.ufunc):
        ins = ", ".join(f"x{i + 1}" for i in range(target.nin)) if target.nin > 1 else "x"
        return (f"{spelled}({ins}, /, out=None, *, where=True, casting='same_kind', order='K', "
                "dtype=None, subok=True)")
    for candidate in (target, op.impl):
        if candidate is None:
            continue
        try:
            sig = inspect.signature(candidate)
        except (TypeError, ValueError):
            continue
        params = [p for p in sig.parameters.values() if p.name != "self"]
        if [p.kind for p in params] == [inspect.Parameter.VAR_POSITIONAL,
                                        inspect.Parameter.VAR_KEYWORD] and candidate is target:
            continue  # a generic wrapper: try the implementation
        text = str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))
        return spelled + text.replace("<no value>", "<no value>")
    return f"{spelled}(...)"


def _weight_group(name: str) -> str | None:
    """The weight group of ``name`` (see :mod:`flopscope.cost.weight_groups`), if it has one."""
    from flopscope.cost.weight_groups import group_of

    group = group_of(name)
    if group is None:
        return None
    return f"`{group.name}`, measured on `{group.reference}`: {group.computation}"


def _symmetry_rule(op: OpDef) -> str:
    if not op.category.counted and op.category is not Category.FREE:
        return ""
    try:
        from flopscope.symmetry import hook
        rule = hook._RULES.get(op.name) or hook._rule_for(op)  # noqa: SLF001
    except Exception:  # noqa: BLE001 - docs still build if the symmetry pass changes shape
        return ""
    key = getattr(rule, "__name__", "")
    if key == "<lambda>":  # `where`: pointwise with three arguments
        key = "_pointwise"
    if op.category is Category.FREE and key == "_default":
        return "Free: symmetry is not tracked through this call (the result is a plain array)."
    return _SYMMETRY_TEXT.get(key, "")


# -- worked examples ----------------------------------------------------------------------------


def _samples() -> tuple[Callable[[str], list], Callable[[str], Any], type] | None:
    """The sample table of tests/test_plan_registry.py (candidates, owner, Concrete), if present."""
    path = ROOT / "tests" / "test_plan_registry.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("_flopscope_site_samples", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - no pytest, or the table moved: pages say so
        return None
    skip = module.SKIP  # entries the table says cannot run on sample data (global state...)

    def candidates(name: str) -> list:
        return [] if name in skip else module._candidates(name)  # noqa: SLF001

    return candidates, module._owner, module.Concrete  # noqa: SLF001


class _Unrenderable(Exception):
    pass


def _render(x: Any, arrays: list[str], concrete: type) -> str:
    """``x`` as Python source; arrays become named variables appended to ``arrays``."""
    if isinstance(x, concrete):
        x = x.value
    if isinstance(x, np.ndarray):
        if x.size > 16 or x.dtype.kind not in "biuf":
            raise _Unrenderable
        values = np.round(x, 2).tolist() if x.dtype.kind == "f" else x.tolist()
        name = "abcdefgh"[len(arrays)] if len(arrays) < 8 else f"x{len(arrays)}"
        dtype = "" if x.dtype in (np.float64, np.int64, np.bool_) else f", dtype=np.{x.dtype}"
        line = f"{name} = fnp.asarray({values!r}{dtype})"
        if len(line) > 76 and x.ndim == 2:  # one row per line, to fit the page
            rows = "".join(f"    {row!r},\n" for row in values)
            line = f"{name} = fnp.asarray([\n{rows}]{dtype})"
        arrays.append(line)
        return name
    if isinstance(x, (bool, int, float, str, type(None))):
        return repr(x)
    if isinstance(x, tuple):
        inner = ", ".join(_render(i, arrays, concrete) for i in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if isinstance(x, list):
        return "[" + ", ".join(_render(i, arrays, concrete) for i in x) + "]"
    if isinstance(x, type) and issubclass(x, np.generic):
        return f"np.{x.__name__}"
    if isinstance(x, np.ufunc) or (callable(x) and getattr(x, "__module__", "").startswith("numpy")):
        return f"np.{x.__name__}"
    raise _Unrenderable


def _call_source(op: OpDef, args: tuple, kwargs: dict, concrete: type) -> str:
    arrays: list[str] = []
    setup: list[str] = []
    if op.module == "numpy.random.Generator":
        setup.append("rng = fnp.random.default_rng(0)")
        target = f"rng.{op.attr}"
    elif op.module == "numpy.random.RandomState":
        setup.append("rs = fnp.random.RandomState(0)")
        target = f"rs.{op.attr}"
    elif op.module == "numpy.ndarray":
        if not args:
            raise _Unrenderable
        owner = _render(args[0], arrays, concrete)
        args = args[1:]
        target = f"{owner}.{op.attr}"
    else:
        target = public_name(op.module, op.attr)
    rendered = [_render(a, arrays, concrete) for a in args]
    rendered += [f"{k}={_render(v, arrays, concrete)}" for k, v in kwargs.items()]
    call = f"{target}({', '.join(rendered)})"
    lines = ["import numpy as np", "import flopscope as flops", "import flopscope.numpy as fnp", ""]
    lines += arrays + setup
    lines += ["with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:",
              f"    result = {call}",
              "s = budget.summary_dict()",
              'print(f"charged {s[\'flops_used\']:,}, analytical {s[\'analytical_flops_used\']:,}")']
    return "\n".join(lines) + "\n"


def _execute(source: str) -> str:
    """Run ``source`` in a fresh namespace and return what it printed."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exec(compile(source, "<example>", "exec"), {"__name__": "__example__"})  # noqa: S102
    return buf.getvalue()


def _example(op: OpDef, samples: Any) -> tuple[str, str] | None:
    """(source, printed output) of a worked example for ``op``, or None if none renders."""
    if samples is None or op.category is Category.BLOCKED:
        return None
    candidates, owner_of, concrete = samples
    try:
        tried = candidates(op.name)
    except Exception:  # noqa: BLE001
        return None
    for args, kwargs in tried:
        try:
            source = _call_source(op, tuple(args), dict(kwargs), concrete)
        except _Unrenderable:
            continue
        try:
            return source, _execute(source)
        except Exception:  # noqa: BLE001 - NumPy refuses these arguments: next sample
            continue
    return None


def _blocked_error(op: OpDef) -> str | None:
    """The message ``fnp.<op>`` actually raises, executed now."""
    import flopscope.numpy as fnp

    obj: Any = fnp
    try:
        for part in (op.module.split(".")[1:] if op.module.startswith("numpy") else []):
            obj = getattr(obj, part)
        getattr(obj, op.attr)
    except AttributeError as exc:
        return str(exc)
    except Exception:  # noqa: BLE001
        return None
    return None


# -- pages --------------------------------------------------------------------------------------


def op_page(op: OpDef, weights: dict[str, float] | None, aliases: dict[str, list[str]],
            samples: Any) -> str:
    """The Markdown page of one operation."""
    spelled = public_name(op.module, op.attr)
    label, rule_text = _CATEGORY_TEXT[op.category]
    lines = [f"# `{spelled}`", "",
             "<!-- Generated from the registry by flopscope/_site.py at build time. -->", "",
             "[All operations](index.md) · [operation table](../reference/operations.md)", "",
             "| property | value |", "|---|---|",
             f"| registry name | `{op.name}` (the name in logs, summaries and weights files) |",
             f"| category | {label} (`{op.category.value}`) |",
             (f"| NumPy counterpart | `{op.qualified_name}` |" if op.module.startswith("numpy")
              else f"| defined in | `{op.module}` (flopscope's own) |")]
    if aliases.get(op.name):
        lines.append("| also spelled | " + ", ".join(f"`{a}`" for a in aliases[op.name]) + " |")
    if op.category is not Category.BLOCKED:
        if weights is None:
            weight = "1 (no packaged weights table)"
        elif op.name in weights:
            weight = f"{weights[op.name]:g}"
        else:
            weight = "1 (not in the packaged table)" if op.category.counted else "—"
        lines.append(f"| packaged weight | {weight} |")
        group = _weight_group(op.name)
        if group:
            lines.append(f"| weight group | {group} |")
    lines += ["", "## Signature", "", "```python", _wrap_call(_signature(op)), "```", ""]

    if op.category is Category.BLOCKED:
        why = op.notes or rule_text
        lines += ["## Why it is blocked", "", why[:1].upper() + why[1:], ""]
        error = _blocked_error(op)
        if error:
            lines += ["Accessing it raises (message produced while this page was generated):", "",
                      f"> `AttributeError`: {error}", ""]
        return "\n".join(lines) + "\n"

    lines += ["## Cost", ""]
    if op.formula:
        lines += [f"**Formula** (analytical FLOPs, one fused multiply-add = 1): `{op.formula}`", ""]
    derivation = op.notes or rule_text
    if derivation:
        lines += [f"**Derivation.** {derivation}", ""]
    if op.category.counted:
        lines += ["The budget is charged analytical × weight × the context's `flop_multiplier`; "
                  "records keep both figures ([Concepts](../guides/concepts.md)).", ""]
    symmetry = _symmetry_rule(op)
    if symmetry:
        lines += ["## Symmetry", "", symmetry + " See [Exploit symmetry](../symmetry.md).", ""]
    example = _example(op, samples)
    lines += ["## Worked example", ""]
    if example is None:
        lines += ["No short literal example: this operation takes a Python callable, a "
                  "generator state, text or datetime data, or changes global state.", ""]
    else:
        source, output = example
        lines += ["Executed with the packaged weights while this page was generated:", "",
                  "```python", source.rstrip("\n"), "```", "", "```text", output.rstrip("\n"),
                  "```", ""]
    return "\n".join(lines) + "\n"


def op_pages(examples: bool = True) -> dict[str, str]:
    """``{path: markdown}`` of every operation's page."""
    from flopscope import _weights

    weights = _packaged_weights()
    aliases = _aliases()
    samples = _samples() if examples else None
    # Examples of the legacy global generator's functions draw from (or reseed) it: keep
    # the caller's generator object and its state as they were.
    bit_generator = np.random.get_bit_generator()
    state = bit_generator.state
    try:
        with _weights.weights_loaded():  # examples print what a user gets: the packaged table
            return {op_page_path(op.name): op_page(op, weights, aliases, samples)
                    for op in REGISTRY.values()}
    finally:
        np.random.set_bit_generator(bit_generator)
        bit_generator.state = state


def operations_index() -> str:
    """``api/index.md``: every operation by module, each linking to its page."""
    lines = ["# Operations", "",
             "<!-- Generated from the registry by flopscope/_site.py at build time. -->", "",
             f"One page per callable flopscope knows ({len(REGISTRY)} in all): signature, "
             "category, formula and derivation, packaged weight, symmetry, and a worked "
             "example executed when the site was built. The same facts in one table: "
             "[operation reference](../reference/operations.md). Modules: "
             "[flopscope](flopscope.md), [flopscope.numpy](flopscope.numpy.md).", ""]
    for module, ops in _by_module(REGISTRY.values()).items():
        lines += [f"## `{public_name(module, '').rstrip('.')}`", "",
                  "| operation | category | formula |", "|---|---|---|"]
        for op in ops:
            formula = " ".join(op.formula.split()).replace("|", "\\|") if op.formula else "—"
            lines.append(f"| [`{public_name(op.module, op.attr)}`]({op.name}.md) | "
                         f"{op.category.value} | {formula if op.category.counted else '—'} |")
        lines.append("")
    return "\n".join(lines) + "\n"


_API_MODULES = ("flopscope", "flopscope.accounting", "flopscope.errors", "flopscope.stats",
                "flopscope.planning", "flopscope.symmetry", "flopscope.trace.dot",
                "flopscope.numpy", "flopscope.numpy.linalg", "flopscope.numpy.fft",
                "flopscope.numpy.random", "flopscope.numpy.testing")


def _public(module: Any) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(set(names), key=str.lower)


def _rst_to_md(text: str) -> str:
    """Docstring markup (``code``, :class:`X`) as Markdown."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _doc_summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return _rst_to_md(doc.split("\n\n")[0].replace("\n", " ").strip())


class _Annotation:
    """An annotation kept as text (``from __future__ import annotations``), shown unquoted."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _wrap_call(text: str, width: int = 76) -> str:
    """``name(a, b, ...) -> r`` with one parameter per line when it is longer than ``width``."""
    if len(text) <= width or "(" not in text:
        return text
    head, rest = text.split("(", 1)
    depth, parts, current, close = 0, [], "", None
    for i, ch in enumerate(rest):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                parts.append(current.strip())
                close = i
                break
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if close is None:
        return text
    tail = rest[close + 1:]
    return head + "(\n" + "".join(f"    {p},\n" for p in parts if p) + ")" + tail


def _format_signature(obj: Any) -> str:
    """``obj``'s signature without private parameters, annotations unquoted."""
    sig = inspect.signature(obj)
    params = []
    for p in sig.parameters.values():
        if p.name.startswith("_") or p.name == "self":
            continue
        if isinstance(p.annotation, str):
            p = p.replace(annotation=_Annotation(p.annotation))
        params.append(p)
    ret = sig.return_annotation
    if isinstance(ret, str):
        ret = _Annotation(ret)
    return str(sig.replace(parameters=params, return_annotation=ret))


def _members(cls: type) -> list[str]:
    """Bullets for the public methods and properties ``cls`` defines itself."""
    bullets = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            bullets.append(f"* `{name}` — {_doc_summary(member.fget) or 'property'}")
        elif isinstance(member, (staticmethod, classmethod)) or inspect.isfunction(member):
            fn = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
            try:
                sig = _format_signature(fn)
            except (TypeError, ValueError):
                sig = "(...)"
            summary = _doc_summary(fn)
            bullets.append(f"* `{name}{sig}`" + (f" — {summary}" if summary else ""))
    return (["Members:", "", *bullets, ""] if bullets else [])


def _module_page(modname: str, by_callable: dict[int, OpDef]) -> str:
    module = importlib.import_module(modname)
    alias = modname.replace("flopscope.numpy", "fnp").replace("flopscope", "flops")
    by_public = {public_name(op.module, op.attr): op for op in REGISTRY.values()}
    lines = [f"# `{modname}`", "",
             "<!-- Generated from the module's docstrings and the registry at build time. -->", ""]
    if module.__doc__:
        lines += [_rst_to_md(inspect.cleandoc(module.__doc__).split("\n\n")[0]), ""]
    counted, other = [], []
    for name in _public(module):
        try:
            value = getattr(module, name)
        except AttributeError:
            continue
        op = by_callable.get(id(value))
        (counted if op is not None else other).append((name, value, op))
    if counted:
        lines += ["## Operations", "",
                  "Counted, free and blocked callables from the registry; each links to its page.",
                  "", "| name | category | formula |", "|---|---|---|"]
        for name, _, op in counted:
            formula = " ".join(op.formula.split()).replace("|", "\\|") if op.formula else "—"
            lines.append(f"| [`{name}`]({op.name}.md) | {op.category.value} | "
                         f"{formula if op.category.counted else '—'} |")
        lines.append("")
    def ours(value: Any) -> bool:
        if inspect.ismodule(value):
            return value.__name__.startswith("flopscope")
        return callable(value) and getattr(value, "__module__", "").startswith("flopscope")

    documented = [(n, v) for n, v, _ in other if ours(v)]
    plain = [(n, v) for n, v, _ in other if not ours(v)]
    if documented:
        lines += ["## Other public names", ""]
        for name, value in documented:
            if inspect.ismodule(value):
                target = value.__name__
                link = f" — see [`{target}`]({target}.md)" if target in _API_MODULES else ""
                lines += [f"### `{name}`", "", f"Module `{target}`{link}.", ""]
                continue
            try:
                sig = _format_signature(value)
            except (TypeError, ValueError):
                sig = ""
            lines += [f"### `{name}`", ""]
            if sig:
                lines += ["```python", _wrap_call(f"{name}{sig}"), "```", ""]
            summary = _doc_summary(value)
            if summary:
                lines += [summary, ""]
            if inspect.isclass(value) and value.__module__.startswith("flopscope"):
                lines += _members(value)
            op = by_public.get(f"{alias}.{name}")
            if op is not None:
                lines += [f"Counted as [`{op.name}`]({op.name}.md).", ""]
            methods = [m for m in REGISTRY.values() if inspect.isclass(value)
                       and m.module == f"numpy.{'random.' if name != 'ndarray' else ''}{name}"]
            if methods:
                lines += ["Methods with their own pages: " + ", ".join(
                    f"[`{m.attr}`]({m.name}.md)" for m in methods) + ".", ""]
    if plain:
        lines += ["## Passed through from NumPy", "",
                  "Types, constants and helpers that do no arithmetic, the same objects as "
                  "NumPy's:", "", ", ".join(f"`{n}`" for n, _ in plain), ""]
    return "\n".join(lines) + "\n"


def api_pages() -> dict[str, str]:
    """``{path: markdown}`` of the operations index and one page per public module."""
    from flopscope.numpy._surface import CALLABLES

    by_callable = {id(fn): REGISTRY[name] for name, fn in CALLABLES.items() if name in REGISTRY}
    pages = {"api/index.md": operations_index()}
    for modname in _API_MODULES:
        pages[f"api/{modname}.md"] = _module_page(modname, by_callable)
    return pages


def all_pages(examples: bool = True) -> dict[str, str]:
    """Every generated page, ``{path relative to docs/: markdown}``."""
    pages = api_pages()
    overlap = set(pages) & {op_page_path(n) for n in REGISTRY}
    if overlap:
        raise RuntimeError(f"operation pages collide with module pages: {sorted(overlap)}")
    pages.update(op_pages(examples))
    return pages


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the generated pages of the docs site.")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the pages into")
    parser.add_argument("--no-examples", action="store_true", help="skip the worked examples")
    args = parser.parse_args(list(argv) if argv is not None else None)
    pages = all_pages(examples=not args.no_examples)
    for rel, text in pages.items():
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(json.dumps({"pages": len(pages), "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
