"""MkDocs hook: add the generated pages to the site at build time.

Registered in ``mkdocs.yml`` (``hooks:``). Adds

* every page :func:`flopscope._site.all_pages` builds (one page per operation
  under ``api/``, the operations index, the module reference pages), so they
  are generated from the registry on every build and cannot go stale;
* ``changelog.md``, the repository's ``CHANGELOG.md``.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent


def on_files(files: Files, config) -> Files:  # noqa: ANN001 - MkDocs' config type
    from flopscope._site import all_pages

    for rel, text in all_pages().items():
        files.append(File.generated(config, rel, content=text))
    files.append(File.generated(config, "changelog.md",
                                content=(ROOT / "CHANGELOG.md").read_text()))
    return files
