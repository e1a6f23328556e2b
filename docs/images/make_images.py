"""Regenerate the pictures of docs/planning.md.

    python docs/images/make_images.py               # rewrite docs/images/*
    python docs/images/make_images.py --out DIR     # write them somewhere else
    python docs/images/make_images.py --graphviz    # also the Graphviz renderings (needs `dot`)

Every picture is drawn by flopscope's built-in renderer (``engine="builtin"``),
so the files are the same on every machine; tests/test_docs_images.py runs
this script into a temporary directory and checks the committed files are
what it writes. The figures are analytical (unit weights), like the text of
the guide. ``--graphviz`` adds ``*-graphviz.svg`` versions for comparison;
they depend on the installed Graphviz and are not checked.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

os.environ["FLOPSCOPE_DISABLE_WEIGHTS"] = "1"  # before flopscope loads: analytical figures
os.environ.pop("FLOPSCOPE_WEIGHTS_FILE", None)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import flopscope as flops  # noqa: E402
import flopscope.numpy as fnp  # noqa: E402

#: name -> what it shows (the files this script writes, besides the Graphviz versions).
IMAGES = {
    "plan-attention.svg": "a self-attention block planned against a budget of 2e7",
    "plan-deep-mlp-by-site.svg": "the README MLP at depth 64, grouped by call site",
    "overrun.svg": "an eager run refused by its budget (err.graph)",
    "plan-attention-report.html": "the self-contained HTML report of the attention plan",
}


def _benchmarks() -> object:
    spec = importlib.util.spec_from_file_location("_fs_docs_plan", ROOT / "benchmarks" / "plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def make(out: Path, graphviz: bool = False) -> list[Path]:
    """Write every picture into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    models = _benchmarks()
    attention_inputs = [(512, 64), (64, 64), (64, 64), (64, 64), (64, 64)]
    written = []
    cwd = os.getcwd()
    os.chdir(ROOT)  # tooltips show paths relative to the working directory
    try:
        attention = flops.plan(models.attention, *attention_inputs)
        written.append(attention.save(out / "plan-attention.svg", budget=2e7, engine="builtin"))
        written.append(attention.save(out / "plan-attention-report.html", budget=2e7,
                                      engine="builtin"))
        deep = flops.plan(models.deep_mlp, (256,))
        written.append(deep.save(out / "plan-deep-mlp-by-site.svg", group="site",
                                 engine="builtin"))
        with flops.BudgetContext(flop_budget=2e7, quiet=True):
            try:
                models.attention(*(fnp.ones(shape) for shape in attention_inputs))
            except flops.BudgetExhaustedError as err:
                written.append(flops.save_graph(err.graph, out / "overrun.svg",
                                                title=f"overrun at {err.op_name}",
                                                engine="builtin"))
        if graphviz:
            attention.save(out / "plan-attention-graphviz.svg", budget=2e7, engine="graphviz")
            deep.save(out / "plan-deep-mlp-by-site-graphviz.svg", group="site",
                      engine="graphviz")
    finally:
        os.chdir(cwd)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--graphviz", action="store_true")
    options = parser.parse_args(argv)
    for path in make(options.out, options.graphviz):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
