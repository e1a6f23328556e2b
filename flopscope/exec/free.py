"""The public callable of a zero-cost entry: unwrap, run, wrap; no charge, no record."""

from __future__ import annotations

from typing import Any, Callable

from flopscope.exec.arguments import (
    keywords_from,
    parameter_position,
    positional_tail,
    unwrap,
    wrap,
)
from flopscope.exec.array import ndarray as FArray
from flopscope.exec.array import set_source
from flopscope.exec.hooks import SYMMETRY_PASS
from flopscope.exec.state import S_PLANNER, STATE
from flopscope.exec.writes import note_write
from flopscope.registry import OpDef

__all__ = ["make_free_wrapper"]


def make_free_wrapper(op: OpDef) -> Callable[..., Any]:
    """The public callable of a zero-cost entry: unwrap, run, wrap; no charge, no record.

    Results inherit the producer ids of all array inputs, so data-flow edges
    pass through free operations (``reshape``, ``concatenate``...). An in-place
    writer (``extras["writes"]`` names the written parameter: ``put``,
    ``copyto``...) makes the written flopscope array carry the producers of
    everything written into it.
    """
    from flopscope.exec.dry import dry_call

    impl = op.impl
    written = op.extras.get("writes")
    written_position = parameter_position(op, written) if written else None
    out_position, tail = positional_tail(op)

    def free(*args: Any, **kwargs: Any) -> Any:
        if out_position is not None and len(args) > out_position:  # np.take(a, i, 0, out)
            args, kwargs = keywords_from(args, kwargs, out_position, tail)
        if STATE.get()[S_PLANNER] is not None:
            return dry_call(op, args, kwargs)
        srcs: list = []
        uargs = [unwrap(a, srcs) for a in args]
        if kwargs:
            out = kwargs.get("out")
            ukwargs = {k: unwrap(v, srcs) for k, v in kwargs.items()}
            result = impl(*uargs, **ukwargs)
            note_write(ukwargs.get("out"))  # symmetry: void claims on the written memory
            if out is not None and result is ukwargs["out"]:
                return out
        else:
            result = impl(*uargs)
        src = tuple(dict.fromkeys(srcs)) if srcs else None
        if written is not None:
            target = kwargs.get(written) if written in kwargs else (
                args[written_position] if written_position is not None
                and written_position < len(args) else None)
            note_write(target)  # symmetry: void claims on the written memory
            if isinstance(target, FArray) and src:
                set_source(target, src)
        result = wrap(result, src)
        # A view or copy of a SymmetricTensor (fnp.reshape(S), np.transpose(S))
        # keeps whatever symmetry the propagation rules say survives.
        if args and type(args[0]) is not FArray and getattr(args[0], "_fs_symmetric", False):
            symmetry_pass = SYMMETRY_PASS[0]
            if symmetry_pass is not None:
                _, post, _ = symmetry_pass(op, args, kwargs, 0)
                if post is not None:
                    result = post(result)
        return result

    return free
