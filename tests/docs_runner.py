"""Run the code blocks of the Markdown docs and check they print what the page shows.

Usage::

    python tests/docs_runner.py                 # check every page, report differences
    python tests/docs_runner.py --update        # rewrite the output blocks from actual runs
    python tests/docs_runner.py docs/budgets.md # only some pages

The rules a page follows (``tests/test_docs_run.py`` runs this for every page):

* Every fenced ````` ```python ````` block runs, in page order, in one fresh
  interpreter per page that shares one namespace across the page's blocks (like a
  notebook). The interpreter runs under the **default configuration**: every
  ``FLOPSCOPE_*`` variable is removed, so the packaged weights are loaded, as a
  user gets them. Pages that want analytical figures say so in their code.
* A python block made of ``>>>`` prompts is a doctest; it runs in the same
  namespace and its expected lines are checked by :mod:`doctest`.
* A fence with no language, or ``text``, whose opening line comes right after a
  python block (only blank lines between) is that block's **output**: the
  block's standard output must match it. ``...`` matches anything, as in
  doctest's ``ELLIPSIS``; trailing spaces are ignored.
* Shell blocks (``bash``, ``sh``, ``console``) are commands, not Python: they
  are not run here (installs, calibrations and benchmarks take minutes; the CLI
  has its own tests). Other languages (``json`` schemas...) are data, not code.
* A python block that cannot run on its own (it needs a server, or is a
  fragment of a bigger program) is preceded by ``<!-- no-run: why -->``. Such
  marks are rare; each one gives its reason.

Blocks run with a scratch directory as the working directory, in which
``benchmarks`` and ``examples`` of the repository are linked, so files an example
writes never land in the checkout.

``--update`` replaces each output block with what its python block printed.
Lines of an old output block that contain ``...`` and still match are kept,
and an output block ending in a ``...`` line keeps only as many leading lines
(what follows it, such as timings, varies from run to run).
"""

from __future__ import annotations

import argparse
import doctest
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Languages whose blocks are shell commands, not run here.
SHELL = {"bash", "sh", "console", "shell"}
#: Languages of output blocks.
OUTPUT = {"", "text"}

_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
_NO_RUN = re.compile(r"<!--\s*no-run:\s*(?P<why>.+?)\s*-->")


@dataclass
class Block:
    """One fenced block of a page."""

    lang: str
    start: int  #: line index of the opening fence
    end: int  #: line index of the closing fence
    code: str
    no_run: str | None = None  #: the reason, when marked ``no-run``
    output: Block | None = None  #: the output block that follows a python block

    @property
    def is_doctest(self) -> bool:
        return self.code.lstrip().startswith(">>>")


@dataclass
class Result:
    """What running one page found."""

    page: Path
    failures: list[str] = field(default_factory=list)
    ran: int = 0
    checked: int = 0
    outputs: dict[int, str] = field(default_factory=dict)  #: python block start -> stdout


def parse(text: str) -> list[Block]:
    """The page's fenced blocks, each python block linked to its output block."""
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        if j >= len(lines):
            raise ValueError(f"unclosed code fence at line {i + 1}")
        indent = len(m.group("indent"))
        body = "\n".join(line[indent:] for line in lines[i + 1:j])
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        mark = _NO_RUN.search(lines[k]) if k >= 0 else None
        blocks.append(Block(m.group("lang").lower(), i, j, body + "\n" if body else "",
                            mark.group("why") if mark else None))
        i = j + 1
    for prev, block in zip(blocks, blocks[1:]):
        between = lines[prev.end + 1:block.start]
        if (prev.lang == "python" and block.lang in OUTPUT and not prev.is_doctest
                and all(not line.strip() for line in between)):
            prev.output = block
    return blocks


# The driver runs in the fresh interpreter: it execs each block in one namespace and
# reports every block's standard output (or its error) as JSON on the real stdout.
_DRIVER = r'''
import contextlib, doctest, io, json, sys, traceback
blocks = json.load(sys.stdin)
ns = {"__name__": "__main__"}
results = []
real_stdout = sys.stdout
for b in blocks:
    buf = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(buf):
            if b["doctest"]:
                test = doctest.DocTestParser().get_doctest(b["code"], ns, b["name"], b["name"], 0)
                runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
                runner.run(test, out=buf.write, clear_globs=False)
                ns.update(test.globs)
                if runner.failures:
                    error = buf.getvalue()
            else:
                # Line numbers count from the block's first line (call sites printed by a
                # block stay put when the prose above it changes); failures name the page line.
                exec(compile(b["code"], b["name"], "exec"), ns)
    except BaseException:
        error = traceback.format_exc()
    results.append({"stdout": buf.getvalue(), "error": error})
real_stdout.write("\n@@DOCS-RUNNER@@\n" + json.dumps(results))
'''


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOPSCOPE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _matches(expected: str, actual: str) -> bool:
    norm = lambda s: "\n".join(line.rstrip() for line in s.strip("\n").split("\n")) + "\n"  # noqa: E731
    return doctest.OutputChecker().check_output(norm(expected), norm(actual), doctest.ELLIPSIS)


def run_page(page: Path, timeout: float = 300) -> Result:
    """Run every python block of ``page`` and compare the outputs it shows."""
    result = Result(page)
    blocks = parse(page.read_text())
    runnable = [b for b in blocks if b.lang == "python" and b.no_run is None]
    if not runnable:
        return result
    name = page.name
    payload = [{"code": b.code, "doctest": b.is_doctest, "name": name, "line": b.start + 1}
               for b in runnable]
    with tempfile.TemporaryDirectory(prefix="flopscope-docs-") as scratch:
        for name in ("benchmarks", "examples"):
            if (ROOT / name).is_dir():
                os.symlink(ROOT / name, Path(scratch) / name)
        proc = subprocess.run([sys.executable, "-c", _DRIVER], input=json.dumps(payload),
                              capture_output=True, text=True, cwd=scratch, env=_environment(),
                              timeout=timeout)
    if "@@DOCS-RUNNER@@" not in proc.stdout:
        result.failures.append(f"{page.name}: the page's interpreter died:\n{proc.stderr[-3000:]}")
        return result
    outcomes = json.loads(proc.stdout.rsplit("@@DOCS-RUNNER@@", 1)[1])
    for b, out in zip(runnable, outcomes):
        result.ran += 1
        where = f"{page.relative_to(ROOT) if page.is_relative_to(ROOT) else page}:{b.start + 1}"
        if out["error"]:
            result.failures.append(f"{where}: block failed:\n{out['error']}")
            continue
        result.outputs[b.start] = out["stdout"]
        if b.is_doctest:
            result.checked += 1
        if b.output is not None:
            result.checked += 1
            if not _matches(b.output.code, out["stdout"]):
                result.failures.append(
                    f"{where}: printed output differs from the page\n--- page shows\n"
                    f"{b.output.code}--- the block printed\n{out['stdout']}")
    return result


def _updated_output(old: str, new: str) -> str:
    """The output block to write: ``new``, keeping the old block's ``...`` where it still fits."""
    if _matches(old, new):
        return old
    old_lines = old.rstrip("\n").split("\n")
    new_lines = new.rstrip("\n").split("\n")
    if old_lines and old_lines[-1].strip() == "...":
        new_lines = new_lines[:len(old_lines) - 1] + ["..."]
    if len(old_lines) == len(new_lines):
        new_lines = [o if "..." in o and _matches(o, n) else n for o, n in zip(old_lines, new_lines)]
    return "\n".join(new_lines) + "\n"


def update_page(page: Path, result: Result) -> bool:
    """Rewrite ``page``'s output blocks from ``result``; True if anything changed."""
    text = page.read_text()
    lines = text.split("\n")
    changed = False
    # Replace from the bottom so earlier line numbers stay valid.
    for b in reversed(parse(text)):
        if b.output is None or b.start not in result.outputs:
            continue
        fresh = _updated_output(b.output.code, result.outputs[b.start])
        if fresh != b.output.code:
            lines[b.output.start + 1:b.output.end] = fresh.rstrip("\n").split("\n")
            changed = True
    if changed:
        page.write_text("\n".join(lines))
    return changed


def pages() -> list[Path]:
    """Every page whose code blocks must run: README.md and the Markdown under docs/."""
    found = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
    return [p for p in found if p.is_file() and "reference" not in p.relative_to(ROOT).parts
            and p.name != "blocked.md"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to run (default: all)")
    parser.add_argument("--update", action="store_true", help="rewrite output blocks from actual runs")
    args = parser.parse_args(argv)
    targets = [p.resolve() for p in args.pages] or pages()
    failed = 0
    for page in targets:
        result = run_page(page)
        if args.update and update_page(page, result):
            print(f"updated {page.relative_to(ROOT)}")
            result = run_page(page)
        for failure in result.failures:
            print(failure, file=sys.stderr)
        failed += bool(result.failures)
        print(f"{page.relative_to(ROOT)}: {result.ran} blocks ran, {result.checked} outputs checked, "
              f"{len(result.failures)} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
