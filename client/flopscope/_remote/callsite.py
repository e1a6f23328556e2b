"""The user's line of code that made a call, sent with each request.

The server records it with the call (and names it in budget errors), so
``OpRecord.call_site`` and error messages read exactly as in-process. It is
the innermost frame outside this package.
"""

from __future__ import annotations

import os
import sys

__all__ = ["caller_site"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
#: co_filename -> whether it belongs to this package.
_INTERNAL: dict[str, bool] = {}


def _internal(filename: str) -> bool:
    verdict = _INTERNAL.get(filename)
    if verdict is None:
        path = filename if filename.startswith("<") else os.path.abspath(filename)
        verdict = _INTERNAL[filename] = path.startswith(_PACKAGE_DIR)
    return verdict


def caller_site() -> list | None:
    """``[filename, line, function]`` of the first frame outside the client package."""
    frame = sys._getframe(1)
    while frame is not None and _internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    code = frame.f_code
    return [code.co_filename, frame.f_lineno, code.co_name]
