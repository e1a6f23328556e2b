"""docs/planning.md's pictures are what docs/images/make_images.py draws; the README's CLI
example works on a machine without Graphviz, under the packaged weights."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def _env_without_graphviz(tmp_path: Path) -> dict[str, str]:
    """The environment with no ``dot`` on PATH (only the interpreter's own directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOPSCOPE_")}
    env["PATH"] = str(Path(sys.executable).parent)
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_committed_pictures_are_what_the_script_draws(tmp_path):
    done = subprocess.run([sys.executable, str(IMAGES / "make_images.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=_env_without_graphviz(tmp_path),
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(IMAGES))
    try:
        import make_images
    finally:
        sys.path.remove(str(IMAGES))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(make_images.IMAGES)
    for name in make_images.IMAGES:
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        assert fresh == (IMAGES / name).read_text(encoding="utf-8"), (
            f"docs/images/{name} is stale: run python docs/images/make_images.py")
        if name.endswith(".svg"):
            ET.fromstring(fresh.encode())  # well-formed


def test_planning_guide_shows_the_pictures():
    text = (ROOT / "docs" / "planning.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text)
    linked = re.findall(r"\]\((images/[^)]+)\)", text)
    assert {"images/plan-attention.svg", "images/plan-deep-mlp-by-site.svg",
            "images/overrun.svg"} <= set(shown)
    for ref in linked:
        assert (ROOT / "docs" / ref).is_file(), ref
    assert "When to install Graphviz" in text


def test_readme_cli_example_without_graphviz(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"^python -m flopscope plan benchmarks/plan\.py:deep_mlp.*$", readme,
                            re.M)
    args = command.split()[1:]
    args[3] = str(ROOT / args[3])  # benchmarks/plan.py:deep_mlp, from the repository root
    done = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True,
                          env=_env_without_graphviz(tmp_path), timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Fits:         yes" in done.stdout  # packaged weights: the budget has room
    out = tmp_path / args[args.index("--out") + 1]
    root = ET.fromstring(out.read_bytes())
    assert root.get("class") == "flopscope-diagram"  # drawn by flopscope, not Graphviz
