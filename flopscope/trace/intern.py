"""Shared copies of the small tuples every row holds (shapes, dtypes).

A row keeps the shapes and dtypes of its call's inputs. Built afresh on
every call they would each be a new tuple kept alive by the log: memory, and
objects the cyclic garbage collector must visit before it can untrack them.
A program makes very few distinct ones, so the hot path keeps one shared copy
of each, ``shapes = intern(shapes, shapes)`` (:meth:`dict.setdefault`: one C
call), and the fresh tuple dies at once.

The table only grows with distinct values; :func:`trim` empties it when it
passes :data:`LIMIT` and is called when a context is created, so a long-lived
process (a server, a notebook) stays bounded. Emptying it is always safe: rows
keep their own references.
"""

from __future__ import annotations

__all__ = ["INTERNED", "LIMIT", "intern", "trim"]

INTERNED: dict[tuple, tuple] = {}
LIMIT = 1 << 16

#: ``intern(value, value)``: the shared copy equal to ``value``, storing ``value`` if new.
intern = INTERNED.setdefault


def trim() -> None:
    """Empty the table if it holds more than :data:`LIMIT` values."""
    if len(INTERNED) > LIMIT:
        INTERNED.clear()
