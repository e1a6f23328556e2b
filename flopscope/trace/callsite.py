"""Find the user's line of code that made a counted call.

A counted call can reach flopscope through several layers: ``fnp.exp(x)``
directly, ``x + y`` through ``ndarray.__add__``, ``np.exp(x)`` through NumPy's
``__array_ufunc__`` protocol, or a NumPy helper written in Python that calls
ufuncs on our arrays. The call site is the innermost frame that belongs to
neither flopscope nor NumPy (nor SciPy or opt_einsum, which flopscope calls).

Each code object's verdict is memoized by ``id`` (hashing a code object
hashes its whole contents, ~300 ns; ``id`` is ~20 ns), with the code object
kept alive alongside so an id is never reused. The line is taken as the
frame's last instruction offset, which is free to read; the line number is
computed from it only when a record is read (:func:`line_of`).
"""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType

__all__ = ["user_frame", "internal_prefixes", "line_of", "warn_user", "VERDICTS", "USER_CODE_IDS"]


def _package_dir(module_name: str) -> str | None:
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = __import__(module_name)
        except ImportError:
            return None
    file = getattr(module, "__file__", None)
    return os.path.dirname(os.path.abspath(file)) + os.sep if file else None


def internal_prefixes() -> tuple[str, ...]:
    """Directories whose frames never count as the user's call site."""
    dirs = [_package_dir(name) for name in ("flopscope", "numpy", "scipy", "opt_einsum")]
    return tuple(d for d in dirs if d)


_PREFIXES: tuple[str, ...] = ()
#: id(code) -> (code, is_internal). Holding ``code`` keeps its id from being reused.
VERDICTS: dict[int, tuple[CodeType, bool]] = {}
#: Ids of the code objects found to be the user's (VERDICTS keeps them alive): the
#: hot path's one-step test that the calling frame is the call site.
USER_CODE_IDS: set[int] = set()


def _classify(code: CodeType) -> bool:
    global _PREFIXES
    if not _PREFIXES:
        _PREFIXES = internal_prefixes()
    filename = code.co_filename
    if not os.path.isabs(filename) and not filename.startswith("<"):
        filename = os.path.abspath(filename)
    verdict = filename.startswith(_PREFIXES)
    VERDICTS[id(code)] = (code, verdict)
    if not verdict:
        USER_CODE_IDS.add(id(code))
    return verdict


def user_frame(frame: FrameType | None) -> tuple[CodeType | None, int]:
    """Code object and last-instruction offset of the first non-internal frame outwards.

    Pass the offset to :func:`line_of` to get a line number.
    """
    verdicts = VERDICTS
    while frame is not None:
        code = frame.f_code
        entry = verdicts.get(id(code))
        internal = entry[1] if entry is not None else _classify(code)
        if not internal:
            return code, frame.f_lasti
        frame = frame.f_back
    return None, -1


def line_of(code: CodeType | None, lasti: int) -> int:
    """Line number of instruction offset ``lasti`` in ``code`` (0 if unknown)."""
    if code is None or lasti < 0:
        return 0
    for start, end, line in code.co_lines():
        if start <= lasti < end:
            return line if line is not None else 0
    return code.co_firstlineno


def warn_user(message: str, category: type[Warning] | None = None) -> None:
    """Issue a warning attributed to the user's line, not to flopscope's internals."""
    import warnings

    from flopscope.errors import FlopscopeWarning

    code, lasti = user_frame(sys._getframe(1))
    category = category or FlopscopeWarning
    if code is None:
        warnings.warn(message, category, stacklevel=2)
        return
    # module/registry left to their defaults: an explicit module=None makes
    # CPython drop the warning.
    warnings.warn_explicit(message, category, code.co_filename, line_of(code, lasti))
