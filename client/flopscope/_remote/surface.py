"""The public modules' names, from the manifest the server sent at connect.

``flopscope.numpy``, ``flopscope.numpy.linalg``, ``flopscope.stats``,
``flopscope.accounting``... each bind themselves here with
:func:`bind_module`. Their attributes are resolved on first access (which
opens the connection if needed) from the manifest's entry for the module:

* a *function* becomes a local function that sends a ``call`` request;
* a *dtype* becomes a :class:`~flopscope._remote.dtypes.DType`;
* a *type* (``finfo``, ``RandomState``...) becomes a constructor that runs
  on the server (for flopscope's own classes, a proxy class of that name);
* a *constant* (``pi``, ``inf``, ``newaxis``) is its value;
* an *exception* class is recreated locally (see :mod:`~flopscope._remote.failures`);
* a *blocked* name raises ``AttributeError`` with the library's reason.

Dotted names (``stats`` entries such as ``norm.pdf``) are reached through
small namespaces (``flops.stats.norm.pdf``). Resolved names are cached in the
module; a new connection clears the caches, since another server may offer
another surface.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

from flopscope._remote import dtypes, failures, proxies
from flopscope._remote.callsite import caller_site
from flopscope._remote.connection import current, on_reconnect
from flopscope._remote.protocol import ValueDecoder
from flopscope._remote.records import make_record

__all__ = ["bind_module", "remote_function", "RemoteNamespace"]


def remote_function(key: str, name: str, public_module: str) -> Callable[..., Any]:
    """A local function calling the server's function ``key`` (``"numpy:exp"``)."""

    def function(*args: Any, **kwargs: Any) -> Any:
        return current().call("call", None, args, kwargs, caller_site(), fn=key)

    function.__name__ = name.rsplit(".", 1)[-1]
    function.__qualname__ = name
    function.__module__ = public_module
    function.__doc__ = (
        f"flopscope: {key.replace(':', '.')}, counted and run on the flopscope server."
    )
    return function


class RemoteNamespace:
    """Attribute access to the dotted functions under a prefix (``flops.stats.norm``)."""

    def __init__(self, module_key: str, prefix: str, public_name: str) -> None:
        self._module_key = module_key
        self._prefix = prefix
        self._public_name = public_name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = _resolve(self._module_key, self._public_name, f"{self._prefix}{name}")
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        entry = _module_entry(self._module_key)
        n = len(self._prefix)
        return sorted(
            {f[n:].split(".")[0] for f in entry.get("functions", ()) if f.startswith(self._prefix)}
        )

    def __repr__(self) -> str:
        return f"<flopscope remote namespace {self._public_name}.{self._prefix.rstrip('.')}>"


def _module_entry(module_key: str) -> dict[str, Any]:
    return current().manifest.get("modules", {}).get(module_key, {})


def _constant(value: Any) -> Any:
    return ValueDecoder(lambda ref: None, dtypes.DType, make_record, ()).decode(value)


def _resolve(module_key: str, public_name: str, name: str) -> Any:
    conn = current()
    manifest = conn.manifest
    entry = manifest.get("modules", {}).get(module_key)
    if entry is None:
        raise AttributeError(
            f"the flopscope server at {conn.address} offers no module {public_name!r}"
        )
    if name in entry.get("functions", ()):
        return remote_function(f"{module_key}:{name}", name, public_name)
    if name in entry.get("dtypes", ()):
        return conn._dtype(name)
    if name in entry.get("types", ()):
        key = f"{module_key}.{name}"
        if key in manifest.get("classes", {}):
            return proxies.remote_class(key, conn)
        return remote_function(f"{module_key}:{name}", name, public_name)
    if name in entry.get("constants", {}):
        return _constant(entry["constants"][name])
    if name in entry.get("exceptions", {}):
        return failures.resolve_class(entry["exceptions"][name], Exception)
    if name in entry.get("array_types", ()):
        return proxies.array_class(name)
    if name in entry.get("blocked", {}):
        raise AttributeError(entry["blocked"][name])
    prefix = f"{name}."
    if any(f.startswith(prefix) for f in entry.get("functions", ())):
        return RemoteNamespace(module_key, prefix, public_name)
    sub = f"{module_key}.{name}"
    if sub in manifest.get("modules", {}):
        return _dynamic_module(sub, f"{public_name}.{name}")
    raise AttributeError(
        f"module {public_name!r} has no attribute {name!r} (the flopscope server at {conn.address} "
        "does not offer it)"
    )


def _dynamic_module(module_key: str, public_name: str) -> types.ModuleType:
    """A module object for a public module this client has no file for (a newer server's)."""
    module = sys.modules.get(public_name)
    if module is None:
        module = types.ModuleType(
            public_name, f"Remote {public_name}, offered by the flopscope server."
        )
        bind_module(module_key, public_name, vars(module))
        sys.modules[public_name] = module
    return module


class _BoundModule:
    """A public module's namespace, filled lazily from the manifest."""

    def __init__(self, module_key: str, public_name: str, namespace: dict[str, Any]) -> None:
        self.module_key = module_key
        self.public_name = public_name
        self.namespace = namespace
        self.resolved: set[str] = set()

    def getattr(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(f"module {self.public_name!r} has no attribute {name!r}")
        value = _resolve(self.module_key, self.public_name, name)
        self.namespace[name] = value
        self.resolved.add(name)
        return value

    def dir(self) -> list[str]:
        names = {n for n in self.namespace if not n.startswith("_")}
        try:
            entry = _module_entry(self.module_key)
        except Exception:  # dir() must not fail when no server is up
            return sorted(names)
        for kind in ("functions", "dtypes", "types", "constants", "exceptions", "array_types"):
            names.update(n.split(".")[0] for n in entry.get(kind, ()))
        return sorted(names)

    def reset(self) -> None:
        for name in self.resolved:
            self.namespace.pop(name, None)
        self.resolved.clear()


_BOUND: list[_BoundModule] = []


def bind_module(
    module_key: str, public_name: str, namespace: dict[str, Any]
) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for a public module serving the manifest's ``module_key``."""
    bound = _BoundModule(module_key, public_name, namespace)
    _BOUND.append(bound)
    return bound.getattr, bound.dir


def _call_scalar_type(dtype: dtypes.DType, args: tuple, kwargs: dict) -> Any:
    return current().call("call", None, args, kwargs, caller_site(), fn=f"numpy:{dtype.name}")


def _reset() -> None:
    for bound in _BOUND:
        bound.reset()
    proxies.reset_classes()


dtypes.set_caller(_call_scalar_type)
on_reconnect(_reset)
