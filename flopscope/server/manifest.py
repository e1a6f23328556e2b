"""The surface a server offers, derived from the registry at start-up.

A client does not hard-code the operations it can call. At ``hello`` the
server sends a *manifest*: for every public module (``numpy``,
``numpy.linalg``, ``flopscope.stats``, ``flopscope.accounting``...) the names
it exports and what each one is (a function to call remotely, a dtype, a
constant, an exception class, a blocked name with the reason). The manifest
is built from :data:`flopscope.registry.REGISTRY` and the public modules the
library generates from it, so operations other families register appear in
every client without a client release.

Functions are addressed on the wire by ``"<module>:<attribute>"`` keys
(``"numpy:exp"``, ``"numpy.linalg:svd"``, ``"flopscope.stats:norm.pdf"``);
:attr:`Surface.functions` maps each key to the callable the server runs.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flopscope.registry import REGISTRY, Category, OpDef
from flopscope.server import guard, policy
from flopscope.server.protocol import class_path

__all__ = ["Surface", "build_surface", "public_module_name"]

#: Top-level functions exposed remotely when the library defines them (cost queries are
#: added too). Each computes on arrays or shapes and returns a value; none touches
#: settings, weights or another session.
_TOP_LEVEL_HELPERS = (
    "as_symmetric",
    "is_symmetric",
    "symmetrize",
    "einsum_accumulation_cost",
    "reduction_accumulation_cost",
)
#: Top-level classes a client may construct remotely.
_TOP_LEVEL_TYPES = ("SymmetryGroup",)


@dataclass
class Surface:
    """Everything callable remotely, and its JSON description for clients.

    Attributes
    ----------
    functions:
        Wire key -> callable.
    legacy_random:
        Wire keys of functions that use NumPy's global random state (they run
        with the calling session's state swapped in; see :mod:`flopscope.server.rng`).
    manifest:
        The JSON-able description sent to clients at ``hello``.
    """

    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    legacy_random: set[str] = field(default_factory=set)
    manifest: dict[str, Any] = field(default_factory=dict)


def public_module_name(module: str) -> str:
    """Import path of the flopscope module exporting registry module ``module``."""
    return module if module.startswith("flopscope") else f"flopscope.{module}"


_NOT_A_CONSTANT = object()


def _constant(value: Any) -> Any:
    """The wire form of a pass-through constant (``pi``, ``inf``, ``newaxis``), or a sentinel."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {
            "$": "float",
            "repr": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"),
        }
    return _NOT_A_CONSTANT


class _ModuleBuilder:
    """Collects one public module's exports into the surface."""

    def __init__(self, surface: Surface, module: str) -> None:
        self.surface = surface
        self.module = module
        self.entry: dict[str, Any] = {
            "functions": [],
            "dtypes": [],
            "types": [],
            "constants": {},
            "exceptions": {},
            "blocked": {},
        }

    def function(self, attr: str, fn: Callable[..., Any], op: OpDef | None) -> None:
        if op is not None and op.name in policy.WITHHELD_OPS:
            self.entry["blocked"][attr] = (
                f"{self.module}.{attr} is not available through a flopscope server: "
                f"{policy.WITHHELD_OPS[op.name]}"
            )
            return
        key = f"{self.module}:{attr}"
        self.surface.functions[key] = fn
        self.entry["functions"].append(attr)
        if op is not None and op.module == "numpy.random":
            self.surface.legacy_random.add(key)

    def export(self, attr: str, value: Any) -> None:
        """Classify one exported name of the public module."""
        op = getattr(value, "__flopscope_op__", None)
        if isinstance(op, OpDef):
            self.function(attr, value, op)
        elif isinstance(value, type) and issubclass(value, np.generic):
            if policy.scalar_type_allowed(value):
                self.surface.functions[f"{self.module}:{attr}"] = value
                self.entry["dtypes"].append(attr)
        elif isinstance(value, type) and (
            attr in policy.PASSTHROUGH_TYPES.get(self.module, ())
            or (value.__module__.startswith("flopscope.") and policy.class_methods(value))
        ):
            self.surface.functions[f"{self.module}:{attr}"] = value
            self.entry["types"].append(attr)
        elif isinstance(value, type) and issubclass(value, BaseException):
            self.entry["exceptions"][attr] = [
                class_path(c) for c in value.__mro__ if c not in (object, BaseException)
            ]
        elif not callable(value):
            constant = _constant(value)
            if constant is not _NOT_A_CONSTANT:
                self.entry["constants"][attr] = constant


def _module_exports(module: str) -> dict[str, Any]:
    try:
        public = importlib.import_module(public_module_name(module))
    except ImportError:
        return {}
    names = getattr(public, "__all__", None) or [n for n in dir(public) if not n.startswith("_")]
    exports = {}
    for name in names:
        try:
            exports[name] = getattr(public, name)
        except AttributeError:
            continue
    return exports


def _owner_class(module: str) -> type | None:
    """The class whose methods registry module ``module`` describes, if it is one.

    ``"numpy.random.Generator"`` -> ``fnp.random.Generator``; ``"numpy.linalg"`` -> None.
    """
    parent, _, name = module.rpartition(".")
    if not parent:
        return None
    try:
        owner = importlib.import_module(public_module_name(parent))
    except ImportError:
        return None
    cls = getattr(owner, name, None)
    return cls if isinstance(cls, type) else None


def _split_registry_modules() -> tuple[list[str], dict[str, type]]:
    """Registry modules of functions, and those of methods (by owning class)."""
    functions: list[str] = []
    classes: dict[str, type] = {}
    for module in sorted({op.module for op in REGISTRY.values()}):
        cls = _owner_class(module)
        if cls is None:
            functions.append(module)
        else:
            classes[module] = cls
    return functions, classes


def _blocked_message(module: str, op: OpDef) -> str:
    """The library's own AttributeError message for a blocked name (so clients show the same)."""
    try:
        public = importlib.import_module(public_module_name(module))
        getattr(public, op.attr)
    except AttributeError as exc:
        return str(exc)
    except ImportError:
        pass
    return f"{module}.{op.attr} is blocked in flopscope: {op.notes}"


def _add_registry_module(surface: Surface, module: str) -> dict[str, Any]:
    from flopscope.exec.dispatch import build_callable

    builder = _ModuleBuilder(surface, module)
    seen: set[str] = set()
    for attr, value in _module_exports(module).items():
        builder.export(attr, value)
        seen.add(attr)
    for op in REGISTRY.values():
        if op.module != module or op.attr in seen:
            continue
        if op.category is Category.BLOCKED:
            builder.entry["blocked"][op.attr] = _blocked_message(module, op)
        else:  # entries without a public attribute of their own, e.g. stats "norm.pdf"
            builder.function(op.attr, build_callable(op), op)
    return builder.entry


def _add_accounting(surface: Surface) -> dict[str, Any]:
    from flopscope import accounting

    builder = _ModuleBuilder(surface, "flopscope.accounting")
    for name in accounting.__all__:
        builder.function(name, getattr(accounting, name), None)
    return builder.entry


def _add_top_level(surface: Surface) -> dict[str, Any]:
    import flopscope
    from flopscope import accounting

    queries = {id(getattr(accounting, n)) for n in accounting.__all__}
    builder = _ModuleBuilder(surface, "flopscope")
    for name in sorted(set(getattr(flopscope, "__all__", ())) | set(_TOP_LEVEL_HELPERS)):
        value = getattr(flopscope, name, None)
        if (
            callable(value)
            and not isinstance(value, type)
            and (id(value) in queries or name in _TOP_LEVEL_HELPERS)
        ):
            builder.function(name, value, None)
    for name in _TOP_LEVEL_TYPES:
        value = getattr(flopscope, name, None)
        if isinstance(value, type):
            surface.functions[f"flopscope:{name}"] = value
            builder.entry["types"].append(name)
    builder.entry["array_types"] = sorted(
        name for name, cls in _array_classes().items() if name != "ndarray"
    )
    return builder.entry


def _dtype_table() -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, value in sorted(policy.SCALAR_TYPES.items()):
        if not policy.scalar_type_allowed(value):
            continue
        if value in policy.ABSTRACT_SCALAR_TYPES:
            table[name] = {"abstract": True}
            continue
        dt = np.dtype(value)
        table[name] = {
            "name": dt.name,
            "str": dt.str,
            "itemsize": dt.itemsize,
            "kind": dt.kind,
            "char": dt.char,
        }
    return table


def _array_classes() -> dict[str, type]:
    """``fnp.ndarray`` and its public flopscope subclasses (``SymmetricTensor``), by name."""
    import flopscope
    from flopscope.exec.array import ndarray

    classes = {"ndarray": ndarray}
    for name in getattr(flopscope, "__all__", ()):
        value = getattr(flopscope, name, None)
        if isinstance(value, type) and issubclass(value, ndarray):
            classes[name] = value
    return classes


def _array_members() -> dict[str, dict[str, list[str]]]:
    """Per array class, the methods and properties a client may use."""
    members = {}
    for name, cls in _array_classes().items():
        public = [n for n in dir(cls) if not n.startswith("_")]
        members[name] = {
            "methods": sorted(n for n in public if policy.array_method_allowed(cls, n)),
            "properties": sorted(n for n in public if policy.array_attribute_allowed(cls, n)),
        }
    return members


def _class_table(classes: dict[str, type]) -> dict[str, Any]:
    """Per class with registry methods: its name and the methods a client may call."""
    from flopscope.exec.array import ndarray

    return {
        module: {"name": cls.__name__, "methods": sorted(policy.class_methods(cls))}
        for module, cls in classes.items()
        if not issubclass(cls, ndarray)  # arrays are described by "arrays"
    }


def build_surface() -> Surface:
    """The surface of the library as imported now (call after ``import flopscope``)."""
    import flopscope  # noqa: F401  (registers every family and builds the public modules)

    function_modules, classes = _split_registry_modules()
    surface = Surface()
    modules = {module: _add_registry_module(surface, module) for module in function_modules}
    modules["flopscope.accounting"] = _add_accounting(surface)
    modules["flopscope"] = _add_top_level(surface)
    for key, make_fresh in guard.FRESH_MEMORY.items():
        if key in surface.functions:
            surface.functions[key] = make_fresh(surface.functions[key])
    for entry in modules.values():
        entry["functions"].sort()
        entry["dtypes"].sort()
        entry["types"].sort()
    surface.manifest = {
        "modules": modules,
        "classes": _class_table(classes),
        "dtypes": _dtype_table(),
        "arrays": _array_members(),
    }
    return surface
