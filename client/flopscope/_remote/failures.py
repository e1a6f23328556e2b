"""Turning the server's error and warning reports into local exceptions and warnings.

The server names an exception by its class's MRO (``[module, qualname]``
pairs). The client raises the most specific class it knows: a built-in,
or one of :mod:`flopscope.errors` by name. A class it does not know
(``numpy.exceptions.AxisError``, ``numpy.linalg.LinAlgError``...) is
recreated once, with the same name and module, as a subclass of the known
classes of its MRO, so ``except ValueError`` and ``except IndexError`` both
catch an ``AxisError`` exactly as they do in-process.
"""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Callable
from typing import Any

from flopscope import errors

__all__ = ["exception_from", "warn_from", "known_class"]

_SYNTHESIZED: dict[tuple[str, str], type] = {}


def known_class(module: str, name: str) -> type | None:
    """The local class for ``module.name``, if the client has one."""
    if module == "builtins":
        cls = getattr(builtins, name, None)
    elif module.split(".")[0] == "flopscope":
        cls = getattr(errors, name, None)
    else:
        cls = _SYNTHESIZED.get((module, name))
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def _minimal_bases(classes: list[type]) -> tuple[type, ...]:
    bases: list[type] = []
    for cls in classes:
        if not any(issubclass(chosen, cls) for chosen in bases):
            bases.append(cls)
    return tuple(bases)


def resolve_class(mro: Any, root: type) -> type:
    """The local class standing for the remote class whose MRO is ``mro``."""
    if not isinstance(mro, list) or not mro:
        return root
    pairs = [tuple(p) for p in mro if isinstance(p, list) and len(p) == 2]
    if not pairs:
        return root
    first = known_class(*pairs[0])
    if first is not None:
        return first
    known = [
        cls
        for cls in (known_class(*p) for p in pairs[1:])
        if cls is not None and issubclass(cls, root)
    ]
    module, name = pairs[0]
    cls = type(
        str(name).rsplit(".", 1)[-1], _minimal_bases(known) or (root,), {"__module__": str(module)}
    )
    _SYNTHESIZED[(module, name)] = cls
    return cls


def _instantiate(cls: type, message: str, attrs: dict[str, Any]) -> BaseException:
    if issubclass(cls, errors.BudgetExhaustedError):
        return cls(
            attrs.get("op_name", "?"),
            attrs.get("flop_cost", 0),
            attrs.get("flops_remaining", 0),
            flop_budget=attrs.get("flop_budget"),
            flops_used=attrs.get("flops_used"),
            analytical_cost=attrs.get("analytical_cost"),
            record=attrs.get("record"),
            message=message,
        )
    args = attrs.get("args")
    if cls.__module__ == "builtins" and isinstance(args, list):
        try:
            return cls(*args)
        except Exception:  # fall back to the message alone
            pass
    try:
        return cls(message)
    except Exception:  # exotic constructors
        exc = cls.__new__(cls)
        exc.args = (message,)
        return exc


def exception_from(payload: Any, decode: Callable[[Any], Any]) -> BaseException:
    """The exception an ``error`` object of a reply describes."""
    if not isinstance(payload, dict):
        return errors.ProtocolError(f"malformed error report from the server: {payload!r}")
    cls = resolve_class(payload.get("mro"), Exception)
    raw_attrs = payload.get("attrs")
    attrs = {k: decode(v) for k, v in raw_attrs.items()} if isinstance(raw_attrs, dict) else {}
    return _instantiate(cls, str(payload.get("message", "")), attrs)


def warn_from(payloads: Any, site: list | None) -> None:
    """Re-issue the warnings a reply relays, attributed to the caller's line."""
    if not isinstance(payloads, list):
        return
    for payload in payloads:
        if not isinstance(payload, dict):
            continue
        category = resolve_class(payload.get("mro"), Warning)
        message = str(payload.get("message", ""))
        if site:
            warnings.warn_explicit(message, category, site[0], site[1])
        else:
            warnings.warn(message, category, stacklevel=4)
