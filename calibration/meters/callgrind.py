"""Callgrind mode: deterministic instruction counts from ``valgrind --tool=callgrind``.

The worker runs under callgrind with instrumentation off while it imports
(``--instr-atstart=no``; imports are most of a worker's start-up), switches it
on with a client request, and marks each counted region with Valgrind
*client requests*: ``ZERO_STATS`` before the region, ``DUMP_STATS_AT(label)``
after it, which makes callgrind write the region's instruction count (``Ir``)
to a numbered dump file that the worker reads back at once. Client requests
are a magic no-op instruction sequence that Valgrind's JIT recognises; the
sequence for x86-64 is emitted into an executable page and called through
:mod:`ctypes`, so no compiler or Valgrind headers are needed. Outside Valgrind
it does nothing and returns 0.

Two things to keep in mind when reading callgrind weights:

* Valgrind emulates a CPU without AVX-512, so NumPy and OpenBLAS pick their
  AVX2 (or older) kernels; counts describe those code paths.
* ``Ir`` counts every instruction the same, whatever its vector width or
  latency (a division counts like an addition). Weights are relative
  instruction counts, normalised by ``np.add``'s.
"""

from __future__ import annotations

import ctypes
import glob
import mmap
import os
import platform
import re
import shutil
import subprocess
from typing import Any, Callable

__all__ = [
    "ClientRequests", "CallgrindCounter", "parse_dump", "valgrind_command", "probe",
    "OUT_TEMPLATE_ENV",
]

#: Environment variable holding the ``--callgrind-out-file`` template (``%p`` = pid).
OUT_TEMPLATE_ENV = "CALIBRATION_CALLGRIND_OUT"

# x86-64: rax <- &args; rdx <- 0; rol rdi by 3, 13, 61, 51 (a net no-op); xchg rbx, rbx;
# return rdx (Valgrind's answer, or the default 0 when not running under Valgrind).
_X86_64_REQUEST = bytes.fromhex(
    "4889f8" "31d2" "48c1c703" "48c1c70d" "48c1c73d" "48c1c733" "4887db" "4889d0" "c3"
)
_RUNNING_ON_VALGRIND = 0x1001
_CALLGRIND_BASE = (ord("C") << 24) | (ord("T") << 16)
_ZERO_STATS = _CALLGRIND_BASE + 1
_DUMP_STATS_AT = _CALLGRIND_BASE + 3
_START_INSTRUMENTATION = _CALLGRIND_BASE + 4


class ClientRequests:
    """Issues Valgrind client requests from Python (x86-64 only)."""

    def __init__(self) -> None:
        if platform.machine().lower() not in ("x86_64", "amd64"):
            raise OSError(f"Valgrind client requests are only wired for x86-64, "
                          f"not {platform.machine()}")
        self._page = mmap.mmap(-1, mmap.PAGESIZE,
                               prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._page.write(_X86_64_REQUEST)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
        self._request = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p)(address)
        self._args = (ctypes.c_size_t * 6)()

    def request(self, code: int, arg1: int = 0) -> int:
        self._args[0] = code
        self._args[1] = arg1
        return int(self._request(ctypes.addressof(self._args)))

    def running_on_valgrind(self) -> bool:
        return self.request(_RUNNING_ON_VALGRIND) > 0

    def zero(self) -> None:
        self.request(_ZERO_STATS)

    def start_instrumentation(self) -> None:
        self.request(_START_INSTRUMENTATION)

    def dump(self, label: str) -> None:
        text = ctypes.create_string_buffer(label.encode("ascii", "replace"))
        self.request(_DUMP_STATS_AT, ctypes.addressof(text))


_DESC = re.compile(r"^desc:\s*Trigger:\s*Client Request:\s*(.*)$", re.M)
_TOTAL = re.compile(r"^(totals|summary):\s*(\d+)", re.M)


def parse_dump(text: str) -> tuple[str, int]:
    """``(label, Ir)`` of one callgrind dump file's text."""
    label = _DESC.search(text)
    totals = {m.group(1): int(m.group(2)) for m in _TOTAL.finditer(text)}
    if not totals:
        raise ValueError("callgrind dump without a totals or summary line")
    return (label.group(1).strip() if label else ""), totals.get("totals", totals.get("summary", 0))


def _dump_index(path: str) -> int:
    suffix = path.rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else -1


class CallgrindCounter:
    """Counts instructions over a region via callgrind dumps (a :class:`RegionCounter`)."""

    def __init__(self, out_prefix: str) -> None:
        self.requests = ClientRequests()
        if not self.requests.running_on_valgrind():
            raise RuntimeError("callgrind mode: this worker is not running under valgrind")
        self.out_prefix = out_prefix
        self._serial = 0
        self.requests.start_instrumentation()  # imports ran uninstrumented (faster)
        self._read_latest("")  # discard everything counted before the first region

    def _read_latest(self, label: str) -> int:
        self.requests.dump(label or "start")
        dumps = sorted(glob.glob(self.out_prefix + ".*"), key=_dump_index)
        if not dumps:
            raise RuntimeError(f"callgrind wrote no dump file next to {self.out_prefix}")
        with open(dumps[-1], encoding="utf-8", errors="replace") as handle:
            found, count = parse_dump(handle.read())
        for path in dumps:
            os.remove(path)
        if label and found != label:
            raise RuntimeError(f"callgrind dump labelled {found!r}, expected {label!r}")
        return count

    def count(self, region: Callable[[], Any], label: str = "") -> float:
        self._serial += 1
        tag = f"region {self._serial} {label}".strip()
        self.requests.zero()
        region()
        return float(self._read_latest(tag))


def valgrind_command(out_template: str) -> list[str]:
    """The command prefix that runs a worker under callgrind."""
    valgrind = shutil.which("valgrind") or "valgrind"
    return [valgrind, "--tool=callgrind", "--quiet", "--instr-atstart=no",
            f"--callgrind-out-file={out_template}"]


def probe() -> tuple[bool, str]:
    """Whether callgrind mode can run here, and a sentence saying so."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False, f"callgrind mode needs x86-64 (client requests), not {platform.machine()}"
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return False, "valgrind is not installed"
    try:
        version = subprocess.run([valgrind, "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"valgrind does not run ({exc})"
    return True, f"{version} available"
