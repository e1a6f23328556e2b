"""``fnp.s_`` and ``fnp.index_exp``: index expressions, built locally.

They only package a subscript (``fnp.s_[1:3, ::2]`` is ``(slice(1, 3),
slice(None, None, 2))``), so the client makes them itself, as NumPy does.
"""

from __future__ import annotations

from typing import Any

__all__ = ["IndexExpression", "s_", "index_exp"]


class IndexExpression:
    """``obj[key]`` returns ``key`` (as a tuple when ``maketuple`` and it is not one)."""

    def __init__(self, maketuple: bool) -> None:
        self.maketuple = maketuple

    def __getitem__(self, item: Any) -> Any:
        if self.maketuple and not isinstance(item, tuple):
            return (item,)
        return item


s_ = IndexExpression(maketuple=False)
index_exp = IndexExpression(maketuple=True)
