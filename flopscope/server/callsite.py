"""Attributing server-side calls to the client's line of code.

In-process, every counted call records the user's file, line and function
(the first frame outside flopscope and NumPy), and budget errors name it.
On a server the user's frames live in another process, so the client sends
its call site with each request, and the server makes the call through a
*trampoline*: a one-line function whose code object carries the client's
file name, line number and function name. The library's frame walk finds
the trampoline as the first non-internal frame and records exactly what it
would have recorded in-process.

Trampolines are cached per call site. The library memoizes a verdict per
code object for the life of the process, so the number of distinct call
sites is capped (:data:`MAX_SITES`); past the cap, calls are attributed to a
generic ``<flopscope-client>`` site instead.
"""

from __future__ import annotations

import builtins
import threading
import types
from collections.abc import Callable
from typing import Any

__all__ = ["trampoline", "MAX_SITES", "GENERIC_SITE"]

#: Most distinct call sites the server creates trampolines for, process-wide.
MAX_SITES = 50_000
#: Site used when a request names none (or the cap is reached).
GENERIC_SITE = ("<flopscope-client>", 1, "<remote>")

_MAX_FILENAME = 4096
_MAX_FUNCTION = 256
_cache: dict[tuple[str, int, str], Callable[..., Any]] = {}
_lock = threading.Lock()


def _template(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    return fn(*args, **kwargs)


#: Lines between the template's ``def`` and its call, kept when the code is relocated.
_CALL_OFFSET = max(line for _, _, line in _template.__code__.co_lines() if line is not None) - (
    _template.__code__.co_firstlineno
)


def _build(filename: str, line: int, function: str) -> Callable[..., Any]:
    code = _template.__code__.replace(
        co_filename=filename,
        co_name=function,
        co_qualname=function,
        co_firstlineno=max(line - _CALL_OFFSET, 0),
    )
    # Real builtins: C code called from the trampoline (NumPy importing its printing
    # module, for one) imports through the calling frame's __import__.
    return types.FunctionType(code, {"__builtins__": builtins})


def _valid(site: Any) -> tuple[str, int, str] | None:
    if not isinstance(site, list) or len(site) != 3:
        return None
    filename, line, function = site
    if not (isinstance(filename, str) and 0 < len(filename) <= _MAX_FILENAME):
        return None
    if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line < 10**8:
        return None
    if not (isinstance(function, str) and 0 < len(function) <= _MAX_FUNCTION):
        return None
    return filename, line, function


def trampoline(site: Any) -> Callable[..., Any]:
    """A function ``(fn, args, kwargs) -> fn(*args, **kwargs)`` that appears to run at ``site``.

    ``site`` is the request's ``[filename, line, function]``; anything
    malformed or missing gives the generic site.
    """
    key = _valid(site) or GENERIC_SITE
    fn = _cache.get(key)
    if fn is not None:
        return fn
    with _lock:
        fn = _cache.get(key)
        if fn is None:
            if len(_cache) >= MAX_SITES:
                key = GENERIC_SITE
                fn = _cache.get(key)
            if fn is None:
                fn = _cache[key] = _build(*key)
    return fn
