"""Child process: measures a chunk of ops and streams the results as JSON lines.

Run by :mod:`calibration.runner` as ``python -m calibration.worker`` (under
valgrind in callgrind mode), with a job on stdin::

    {"mode": {"name": "timing", ...}, "dtype": "float64", "seed": 7,
     "size_divisor": 1, "ops": [{"name": "exp", "category": "pointwise"}, ...]}

and one JSON object per line on stdout, flushed as soon as it is known so the
parent can show progress and keep everything measured before a crash:

* ``{"event": "reference", "add": [samples], "abs": [samples]}`` -- first, and
  again after the last op, so the reference brackets the ops it normalises;
* ``{"event": "op", "name": ..., "status": "ok", "samples": [...], "out": bool}``
  or ``{"event": "op", "name": ..., "status": "failed", "error": ...}``;
* ``{"event": "done"}``.

Anything else that writes to stdout (a library printing, say) is redirected to
stderr, so the protocol stream stays clean.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import warnings
from typing import Any, Callable, TextIO

__all__ = ["main", "measure_op", "bind_call"]


def _protocol_stream() -> TextIO:
    """A private handle on the real stdout; fd 1 is pointed at stderr from now on."""
    stream = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return stream


def _emit(stream: TextIO, record: dict[str, Any]) -> None:
    stream.write(json.dumps(record) + "\n")
    stream.flush()


def _empty_like(result: Any) -> Any:
    import numpy as np

    if isinstance(result, np.ndarray):
        return np.empty_like(result)
    if isinstance(result, np.generic):
        return np.empty((), dtype=result.dtype)
    if isinstance(result, tuple) and result and all(isinstance(r, np.ndarray) for r in result):
        return tuple(np.empty_like(r) for r in result)
    return None


def bind_call(impl: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
              preallocate: bool) -> tuple[Callable[[], Any], bool]:
    """A no-argument call of ``impl``, with a pre-allocated ``out=`` when the op honours one.

    Returns the call and whether ``out=`` is used. The op is called once (or
    twice) here, which also serves as a first warm-up.
    """
    result = impl(*args, **kwargs)
    if preallocate and "out" not in kwargs:
        out = _empty_like(result)
        if out is not None:
            try:
                honoured = impl(*args, **kwargs, out=out) is out
            except Exception:  # the op takes no out=, or not this one
                honoured = False
            if honoured:
                with_out = {**kwargs, "out": out}
                return (lambda: impl(*args, **with_out)), True
    return (lambda: impl(*args, **kwargs)), False


def _too_slow(meter: Any, sizes: tuple[int, ...], index: int, samples: list[dict]) -> bool:
    """Whether calls at ``sizes[index]`` would exceed the meter's ``max_call``.

    Extrapolated linearly from the median call at the previous size; only for
    meters that set ``max_call``. (An op whose calls take that long has no
    fixed cost worth a second size.)
    """
    limit = getattr(meter, "max_call", None)
    if limit is None or index < 1:
        return False
    previous = sorted(s["value"] for s in samples if s["size"] == sizes[index - 1])
    if not previous:
        return False
    return previous[len(previous) // 2] * sizes[index] / sizes[index - 1] > limit


def measure_op(op: Any, spec: Any, meter: Any, ctx: Any, divisor: int) -> tuple[list[dict], bool]:
    """Samples of ``op`` over its spec's sizes and distributions (JSON-ready dicts)."""
    from calibration.inputs import Maker

    samples: list[dict] = []
    used_out = False
    sizes = spec.sizes(divisor)
    for index, size in enumerate(sizes):
        if _too_slow(meter, sizes, index, samples):
            break
        for dist in spec.distributions:
            case = spec.build(Maker(size, dist, ctx))
            flops = int(op.cost(*case.args, **dict(case.kwargs)))
            if flops <= 0:
                raise ValueError(f"cost rule gives {flops} FLOPs at size {size}")
            preallocate = spec.preallocate and case.reset is None
            call, with_out = bind_call(op.impl, case.args, dict(case.kwargs), preallocate)
            used_out = used_out or with_out
            value = meter.measure(call, case.reset)
            samples.append({"size": size, "dist": dist, "flops": flops, "value": value})
    return samples, used_out


def _reference(meter: Any, ctx: Any, divisor: int) -> dict[str, Any]:
    """Samples of ``np.add`` (elementwise ladder) and ``np.abs`` (tiny arrays)."""
    from dataclasses import replace

    from calibration.inputs.ladders import TINY
    from calibration.inputs.ufuncs import ufunc_spec
    from flopscope.registry import lookup

    add, absolute = lookup("add"), lookup("absolute")
    add_spec = replace(ufunc_spec("add", add.impl, ctx.float_dtype, "pointwise"),
                       distributions=("uniform",))
    abs_spec = replace(ufunc_spec("absolute", absolute.impl, ctx.float_dtype, "pointwise"),
                       ladder=TINY, min_size=1, distributions=("uniform",))
    add_samples, _ = measure_op(add, add_spec, meter, ctx, divisor)
    abs_samples, _ = measure_op(absolute, abs_spec, meter, ctx, 1)
    return {"add": add_samples, "abs": abs_samples}


def run_job(job: dict[str, Any], stream: TextIO) -> None:
    """Measure the reference, every op of ``job`` and the reference again, one line each."""
    import numpy as np

    from calibration.inputs import Context, spec_for
    from calibration.meters import build_meter
    from flopscope.registry import lookup

    np.seterr(all="ignore")
    warnings.simplefilter("ignore")
    ctx = Context(np.dtype(job["dtype"]), np.random.default_rng(int(job["seed"])))
    divisor = int(job.get("size_divisor", 1))
    meter = build_meter(job["mode"])
    _emit(stream, {"event": "reference", "pid": os.getpid(), **_reference(meter, ctx, divisor)})
    for entry in job["ops"]:
        name, category = entry["name"], entry["category"]
        started = time.perf_counter()
        try:
            op = lookup(name)
            spec = spec_for(op, category, ctx.float_dtype).spec
            if spec is None:
                raise LookupError("no input generator")
            samples, used_out = measure_op(op, spec, meter, ctx, divisor)
        except Exception as exc:  # one op failing must not stop the others
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            _emit(stream, {"event": "op", "name": name, "status": "failed", "error": detail,
                           "seconds": time.perf_counter() - started})
            continue
        _emit(stream, {"event": "op", "name": name, "status": "ok", "samples": samples,
                       "out": used_out, "seconds": time.perf_counter() - started})
    _emit(stream, {"event": "reference", "pid": os.getpid(), **_reference(meter, ctx, divisor)})
    _emit(stream, {"event": "done"})


def main() -> int:
    stream = _protocol_stream()
    job = json.loads(sys.stdin.read())
    try:
        run_job(job, stream)
    except Exception as exc:
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        _emit(stream, {"event": "fatal", "error": detail})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
