"""Records the server sends by value: ``OpRecord``, ``CallSite``, and any later ones.

The library's records are frozen dataclasses. Here a record is an
immutable bag of the fields the server sent, so a server that adds a field
needs no client release; :class:`OpRecord` and :class:`CallSite` add the
library's derived members.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Record", "OpRecord", "CallSite", "make_record"]


class Record:
    """An immutable record of named fields (compared, hashed and printed by them)."""

    __slots__ = ("_fields",)

    def __init__(self, **fields: Any) -> None:
        object.__setattr__(self, "_fields", dict(fields))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__!r} record has no field {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} records are read-only")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._fields == self._fields  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._fields)))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{type(self).__name__}({inner})"

    def as_dict(self) -> dict[str, Any]:
        """The fields, as a new dict."""
        return dict(self._fields)


class CallSite(Record):
    """Where in the user's code a counted call was made (``filename``, ``lineno``, ``function``)."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno} in {self.function}"


class OpRecord(Record):
    """One counted call, as the budget log shows it (the library's ``OpRecord`` fields)."""

    __slots__ = ()

    @property
    def weighted_cost(self) -> int:
        """Alias of ``flop_cost``."""
        return self.flop_cost


_KINDS: dict[str, type[Record]] = {"OpRecord": OpRecord, "CallSite": CallSite}
_GENERIC: dict[str, type[Record]] = {}


def make_record(type_name: str, fields: dict[str, Any]) -> Record:
    """The record a ``{"$": "record"}`` value describes."""
    cls = _KINDS.get(type_name)
    if cls is None:
        cls = _GENERIC.get(type_name)
        if cls is None:
            cls = _GENERIC[type_name] = type(type_name, (Record,), {"__slots__": ()})
    return cls(**fields)
