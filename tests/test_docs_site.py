"""The documentation site: one page per registry entry, a strict build, no broken internal link.

The page set is checked without MkDocs (the generator is plain Python); the
build and the link check need the ``docs`` extra and are skipped without it.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from flopscope._site import _API_MODULES, all_pages, op_page_path
from flopscope.registry import REGISTRY, Category

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return all_pages()


def test_every_registry_entry_has_a_page_and_no_page_is_orphaned(pages: dict[str, str]) -> None:
    op_pages = {p for p in pages if p.startswith("api/")} - {"api/index.md"} - {
        f"api/{m}.md" for m in _API_MODULES}
    assert op_pages == {op_page_path(name) for name in REGISTRY}
    index = pages["api/index.md"]
    for name in REGISTRY:
        assert f"]({name}.md)" in index, f"{name} is missing from the operations index"
    hand_written = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert not hand_written & set(pages), "a generated page would hide a hand-written one"


def test_op_pages_hold_what_the_reader_needs(pages: dict[str, str]) -> None:
    for name, op in REGISTRY.items():
        text = pages[op_page_path(name)]
        assert "## Signature" in text, name
        assert f"`{op.category.value}`" in text, name
        if op.category is Category.BLOCKED:
            assert "## Why it is blocked" in text and "AttributeError" in text, name
        else:
            assert "## Cost" in text and "packaged weight" in text, name
            assert "## Worked example" in text, name


def test_worked_examples_were_executed(pages: dict[str, str]) -> None:
    """The printed charge is the example's real output, weighted, at build time."""
    svd = pages[op_page_path("linalg.svd")]
    shown = re.search(r"charged ([\d,]+), analytical ([\d,]+)", svd)
    assert shown, "the svd page lost its worked example"
    exp = pages[op_page_path("exp")]
    charged, analytical = re.search(r"charged ([\d,]+), analytical ([\d,]+)", exp).groups()
    assert analytical == "12"  # the sample is a 3x4 array: one evaluation per element
    from flopscope import _weights

    _weights.load_weights()
    try:
        expected = 12 * _weights.get_weight("exp")
    finally:
        _weights.reset_weights()
    assert abs(int(charged.replace(",", "")) - expected) <= 1
    examples = sum("Executed with the packaged weights" in pages[op_page_path(n)] for n in REGISTRY)
    counted = sum(op.category.counted for op in REGISTRY.values())
    assert examples >= 0.9 * counted


def test_generation_leaves_the_callers_weights_alone(pages: dict[str, str]) -> None:
    from flopscope import _weights

    assert _weights.get_weight("exp") == 1.0  # the suite's unit weights, restored


# -- the built site ----------------------------------------------------------------------------

_LINK = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-5000:]
    return out


def test_site_builds_with_a_page_per_operation(site: Path) -> None:
    for name in REGISTRY:
        assert (site / "api" / name / "index.html").is_file(), name
    served = {p.name for p in (site / "api").iterdir() if p.is_dir()}
    assert served == set(REGISTRY) | set(_API_MODULES)
    assert (site / "changelog" / "index.html").is_file()


def test_every_internal_link_resolves(site: Path) -> None:
    broken = []
    for page in site.rglob("*.html"):
        text = page.read_text(errors="replace")
        ids = None
        for raw in _LINK.findall(text):
            link = html.unescape(raw)
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            if not parts.path:
                target = page
            elif parts.path.startswith("/"):  # absolute: the site is served at its root
                target = site / unquote(parts.path).lstrip("/")
            else:
                target = page.parent / unquote(parts.path)
            if target.is_dir() or not target.suffix:
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
                continue
            if parts.fragment and target == page:
                ids = ids or set(re.findall(r'id="([^"]+)"', text))
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(site)} -> #{parts.fragment}")
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:10]}"


def test_site_works_offline(site: Path) -> None:
    """No page pulls a font, script or stylesheet from another host."""
    tag = re.compile(r"<(?:script|link|img|iframe)\b[^>]*>")
    remote = re.compile(r'(?:src|href)="(?:https?:)?//')
    offenders = [p.relative_to(site).as_posix() for p in site.rglob("*.html")
                 if any(remote.search(t) and 'rel="canonical"' not in t
                        for t in tag.findall(p.read_text(errors="replace")))]
    assert not offenders, offenders[:5]


def test_generation_leaves_numpys_global_generator_alone() -> None:
    import numpy as np

    from flopscope._site import op_pages

    before = np.random.get_bit_generator()
    state = np.random.get_state()
    op_pages()
    assert np.random.get_bit_generator() is before
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]
    np.random.random(3)  # the generator still works (hypothesis reads and reseeds it)


def test_op_page_shows_the_weight_group_of_a_grouped_op() -> None:
    from flopscope import _site

    page = _site.op_page(REGISTRY["dot"], {"dot": 1.0}, {}, None)
    assert "| weight group | `contraction`, measured on `matmul`" in page
    assert "| weight group |" not in _site.op_page(REGISTRY["exp"], {"exp": 1.0}, {}, None)
