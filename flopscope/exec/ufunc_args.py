"""Argument normalisation for ufunc calls: NumPy's positional ``out``.

NumPy lets every ufunc take its outputs after its inputs, by position:
``np.sqrt(x, x)`` writes into ``x`` exactly as ``np.sqrt(x, out=x)`` does, and
``np.divmod(a, b, q, r)`` fills ``q`` and ``r``. The counted ufunc wrappers
move such trailing arguments to ``out=`` before anything else looks at the
call, so cost rules, shape rules and the ``out`` bookkeeping only ever see the
keyword form.
"""

from __future__ import annotations

from typing import Any

__all__ = ["split_positional_out"]


def split_positional_out(args: tuple, nin: int, nout: int, out: Any) -> tuple[tuple, Any]:
    """``(inputs, out)`` with positional outputs in ``args`` moved to ``out``.

    Calls NumPy would reject (more arguments than ``nin + nout``, or ``out``
    given both by position and by keyword) are returned unchanged, so that the
    wrapper lets NumPy raise its own error for them. A single output is
    returned bare (``out=x``), several as a tuple; all-``None`` outputs mean
    no ``out`` at all, as in NumPy.
    """
    extra = args[nin:]
    if not extra or len(extra) > nout or out is not None:
        return args, out
    if all(o is None for o in extra):
        return args[:nin], None
    if nout == 1:
        return args[:nin], extra[0]
    return args[:nin], tuple(extra) + (None,) * (nout - len(extra))
