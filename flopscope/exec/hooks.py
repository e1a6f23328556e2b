"""Hooks the executors call into, installed by layers above them.

The symmetry layer (:mod:`flopscope.symmetry`) sits above the executors, so
the executors cannot import it; it installs its pass here instead, and the
eager and dry executors call whatever is installed.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["SYMMETRY_PASS", "set_symmetry_pass"]

#: The symmetry pass, installed by :mod:`flopscope.symmetry` (see set_symmetry_pass).
SYMMETRY_PASS: list[Callable[..., tuple[int, Callable[[Any], Any] | None, dict | None]] | None] = [None]


def set_symmetry_pass(
    fn: Callable[..., tuple[int, Callable[[Any], Any] | None, dict | None]] | None,
) -> None:
    """Install the function that adjusts calls involving symmetry.

    ``fn(op, args, kwargs, analytical) -> (analytical, post, tags)`` is called,
    on the general (non-fast) paths only, for a call whose arguments include
    an array flagged ``_fs_symmetric`` or for an entry whose
    ``extras["induces_symmetry"]`` is true (einsum: repeated operands). ``args``
    and ``kwargs`` are the caller's own objects (identity and symmetry intact).
    It returns the adjusted analytical cost, a function applied to the
    wrapped result (to attach the output's symmetry) or None, and tags stored
    with the call's record (``{"symmetry": ...}``) or None.
    """
    SYMMETRY_PASS[0] = fn
