"""Perf mode: hardware event counters read in-process through ``perf_event_open``.

Counting a region in-process (reset, enable, run, disable, read) costs a few
system calls, so a whole category is measured in one worker as cheaply as in
timing mode; launching ``perf stat`` per measurement would cost a Python start
each time. The ``perf`` command is used only to translate event names
(``fp_arith_inst_retired.256b_packed_double``) into the kernel's
``(type, config)`` encoding, which it knows for every CPU model.

Event sets, in order of preference (:data:`COUNTER_SETS`):

``fp-arith-simd``
    Intel ``FP_ARITH_INST_RETIRED`` split by vector width; each count is
    weighted by the lanes of its width (1, 2, 4, 8 doubles; 1, 4, 8, 16
    singles), so one 512-bit ``vaddpd`` counts as 8 operations. (Intel counts
    a fused multiply-add instruction twice.)
``fp-ret-ops``
    AMD ``FP_RET_SSE_AVX_OPS``: retired SSE/AVX floating-point operations, which
    the hardware already counts per lane.
``instructions``
    Generic retired instructions, available on every PMU but not weighted by
    SIMD width (a vector instruction counts once, whatever its width).

:func:`probe` decides whether the mode is usable and says why not: no
``perf_event_open`` on this architecture, a ``perf_event_paranoid`` setting
that forbids user counting, no hardware PMU (typical of virtual machines
without a virtual PMU), multiplexed counters, or counters that count nothing
on a floating-point workload.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import platform
import re
import shutil
import struct
import subprocess
from dataclasses import asdict, dataclass
from typing import Any, Callable, Sequence

__all__ = [
    "EventSpec", "CounterSet", "COUNTER_SETS", "PerfProbe", "PerfCounter", "probe",
    "parse_perf_attr", "parse_stat_csv", "perf_stat_instructions",
]

_SYSCALL_NUMBERS = {"x86_64": 298, "amd64": 298, "aarch64": 241, "arm64": 241,
                    "ppc64le": 319, "s390x": 331, "riscv64": 241}
_IOC_ENABLE, _IOC_DISABLE, _IOC_RESET = 0x2400, 0x2401, 0x2403
_FLAG_DISABLED, _FLAG_EXCLUDE_KERNEL, _FLAG_EXCLUDE_HV = 1 << 0, 1 << 5, 1 << 6
_READ_TIMES = 1 | 2  # PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING
_ATTR_SIZE_VER0 = 64

PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE = 0, 1
PERF_COUNT_HW_INSTRUCTIONS, PERF_COUNT_SW_TASK_CLOCK = 1, 1


class _Attr(ctypes.Structure):
    """The first (version 0, 64-byte) part of ``struct perf_event_attr``."""

    _fields_ = [
        ("type", ctypes.c_uint32), ("size", ctypes.c_uint32), ("config", ctypes.c_uint64),
        ("sample_period", ctypes.c_uint64), ("sample_type", ctypes.c_uint64),
        ("read_format", ctypes.c_uint64), ("flags", ctypes.c_uint64),
        ("wakeup_events", ctypes.c_uint32), ("bp_type", ctypes.c_uint32),
        ("config1", ctypes.c_uint64),
    ]


@dataclass(frozen=True)
class EventSpec:
    """One kernel event: ``(type, config)`` and the lanes each count stands for."""

    name: str
    type: int
    config: int
    lanes: int = 1
    config1: int = 0


@dataclass(frozen=True)
class CounterSet:
    """A named group of perf event names with their SIMD lane weights."""

    key: str
    description: str
    events: tuple[tuple[str, int], ...]
    simd_weighted: bool


def _intel(width_lanes: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple((f"fp_arith_inst_retired.{width}", lanes) for width, lanes in width_lanes)


COUNTER_SETS: dict[str, tuple[CounterSet, ...]] = {
    "float64": (
        CounterSet("fp-arith-simd", "Intel FP_ARITH_INST_RETIRED (double), lanes-weighted",
                   _intel([("scalar_double", 1), ("128b_packed_double", 2),
                           ("256b_packed_double", 4), ("512b_packed_double", 8)]), True),
        CounterSet("fp-ret-ops", "AMD retired SSE/AVX FLOPs (counted per lane)",
                   (("fp_ret_sse_avx_ops.all", 1),), True),
        CounterSet("instructions", "retired instructions (not SIMD-weighted)",
                   (("instructions", 1),), False),
    ),
    "float32": (
        CounterSet("fp-arith-simd", "Intel FP_ARITH_INST_RETIRED (single), lanes-weighted",
                   _intel([("scalar_single", 1), ("128b_packed_single", 4),
                           ("256b_packed_single", 8), ("512b_packed_single", 16)]), True),
        CounterSet("fp-ret-ops", "AMD retired SSE/AVX FLOPs (counted per lane)",
                   (("fp_ret_sse_avx_ops.all", 1),), True),
        CounterSet("instructions", "retired instructions (not SIMD-weighted)",
                   (("instructions", 1),), False),
    ),
}

_BUILTIN = {"instructions": (PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS),
            "task-clock": (PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK)}


# -- system calls ---------------------------------------------------------------------

def _syscall_number() -> int | None:
    return _SYSCALL_NUMBERS.get(platform.machine().lower())


def open_event(event: EventSpec, group_fd: int = -1) -> int:
    """File descriptor counting ``event`` in user space for this process; ``OSError`` if refused."""
    number = _syscall_number()
    if number is None:
        raise OSError(errno.ENOSYS, f"perf_event_open is not wired for {platform.machine()}")
    attr = _Attr(type=event.type, size=_ATTR_SIZE_VER0, config=event.config,
                 read_format=_READ_TIMES, config1=event.config1,
                 flags=_FLAG_DISABLED | _FLAG_EXCLUDE_KERNEL | _FLAG_EXCLUDE_HV)
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(ctypes.c_long(number), ctypes.byref(attr), ctypes.c_int(0),
                      ctypes.c_int(-1), ctypes.c_int(group_fd), ctypes.c_ulong(0))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return fd


class PerfCounter:
    """Counts a weighted sum of events over a region (a :class:`RegionCounter`).

    Counts are scaled by ``time_enabled / time_running`` when the kernel had to
    multiplex the counters; :attr:`multiplexed` records that it happened.
    """

    def __init__(self, events: Sequence[EventSpec]) -> None:
        if not events:
            raise ValueError("no events to count")
        self.events = tuple(events)
        self.fds: list[int] = []
        try:
            for event in self.events:
                self.fds.append(open_event(event))
        except OSError:
            self.close()
            raise
        self.multiplexed = False

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def __enter__(self) -> "PerfCounter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, fd: int) -> float:
        value, enabled, running = struct.unpack("QQQ", os.read(fd, 24))
        if running == 0:
            return 0.0
        if running < enabled:
            self.multiplexed = True
            return value * enabled / running
        return float(value)

    def count(self, region: Callable[[], Any], label: str = "") -> float:
        for fd in self.fds:
            fcntl.ioctl(fd, _IOC_RESET, 0)
        for fd in self.fds:
            fcntl.ioctl(fd, _IOC_ENABLE, 0)
        try:
            region()
        finally:
            for fd in self.fds:
                fcntl.ioctl(fd, _IOC_DISABLE, 0)
        return sum(self._read(fd) * event.lanes for fd, event in zip(self.fds, self.events))


# -- event names -> encodings -----------------------------------------------------------

_ATTR_LINE = re.compile(r"^\s*(type|config|config1)\s+(0x[0-9a-fA-F]+|\d+)\s*$")


def parse_perf_attr(text: str) -> tuple[int, int, int] | None:
    """``(type, config, config1)`` from the first ``perf_event_attr:`` block of ``perf -vv``."""
    if "perf_event_attr:" not in text:
        return None
    block = text.split("perf_event_attr:", 1)[1].split("-" * 20, 1)[0]
    fields = {"type": 0, "config": 0, "config1": 0}
    for line in block.splitlines():
        match = _ATTR_LINE.match(line)
        if match:
            fields[match.group(1)] = int(match.group(2), 0)
    return fields["type"], fields["config"], fields["config1"]


def resolve(name: str, lanes: int, perf: str | None) -> EventSpec | None:
    """Kernel encoding of perf event ``name``, via ``perf stat -vv``; ``None`` if unknown."""
    if name in _BUILTIN:
        kind, config = _BUILTIN[name]
        return EventSpec(name, kind, config, lanes)
    if perf is None:
        return None
    try:
        done = subprocess.run([perf, "stat", "-vv", "-x,", "-e", name, "true"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    parsed = parse_perf_attr(done.stderr + done.stdout)
    if parsed is None:
        return None
    kind, config, config1 = parsed
    return EventSpec(name, kind, config, lanes, config1)


# -- the `perf stat -e instructions true` check ---------------------------------------

def parse_stat_csv(text: str, event: str) -> str | None:
    """The value ``perf stat -x,`` printed for ``event`` (``"<not supported>"``, a count...)."""
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) >= 3 and fields[2].strip().startswith(event):
            return fields[0].strip()
    return None


def perf_stat_instructions(perf: str) -> str:
    """What ``perf stat -e instructions true`` reports: a count, or the reason there is none."""
    try:
        done = subprocess.run([perf, "stat", "-x,", "-e", "instructions", "true"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not run perf ({exc})"
    value = parse_stat_csv(done.stderr, "instructions")
    if value is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"unexpected output ({tail})"
    return value


# -- the decision -----------------------------------------------------------------------

@dataclass(frozen=True)
class PerfProbe:
    """Outcome of :func:`probe`: usable or not, why, and the events to count."""

    usable: bool
    reason: str
    counter_set: str = ""
    description: str = ""
    simd_weighted: bool = False
    events: tuple[EventSpec, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["events"] = [asdict(e) for e in self.events]
        return data


def _paranoid() -> int | None:
    try:
        return int(open("/proc/sys/kernel/perf_event_paranoid").read().strip())
    except (OSError, ValueError):
        return None


def _fp_workload() -> None:
    import numpy as np

    x = np.linspace(0.5, 1.5, 200_000)
    np.add(x, x, out=x)


def _why_not(exc: OSError, event: str) -> str:
    paranoid = _paranoid()
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"the kernel refuses to count {event} for this user "
                f"(kernel.perf_event_paranoid = {paranoid}; 2 or less is needed)")
    if exc.errno in (errno.ENOENT, errno.EOPNOTSUPP, errno.ENODEV):
        return (f"the kernel exposes no hardware PMU for {event} ({exc.strerror}); "
                "typical of a virtual machine without a virtual PMU")
    return f"perf_event_open({event}) failed: {exc.strerror or exc}"


def _try_set(cset: CounterSet, perf: str | None) -> tuple[PerfProbe | None, str]:
    events = []
    for name, lanes in cset.events:
        spec = resolve(name, lanes, perf)
        if spec is None:
            return None, f"{cset.key}: event {name} unknown to perf on this CPU"
        events.append(spec)
    try:
        with PerfCounter(events) as counter:
            counted = counter.count(_fp_workload)
            multiplexed = counter.multiplexed
    except OSError as exc:
        return None, f"{cset.key}: {_why_not(exc, events[0].name)}"
    if counted <= 0:
        return None, f"{cset.key}: counters open but count nothing on a floating-point workload"
    if multiplexed:
        return None, f"{cset.key}: counters are multiplexed (too many for the PMU)"
    return PerfProbe(True, f"hardware counters usable ({cset.description})", cset.key,
                     cset.description, cset.simd_weighted, tuple(events)), ""


def probe(dtype: str = "float64") -> PerfProbe:
    """Whether perf mode can measure here, and with which events."""
    if _syscall_number() is None:
        return PerfProbe(False, f"perf_event_open is not available on {platform.machine()}")
    perf = shutil.which("perf")
    notes = []
    if perf is None:
        notes.append("the perf command is not installed (Debian: linux-perf), "
                      "so only generic instruction counts can be tried")
    else:
        stat = perf_stat_instructions(perf)
        if not stat.replace(".", "").isdigit():
            notes.append(f"`perf stat -e instructions true` reports {stat}")
    for cset in COUNTER_SETS.get(dtype, COUNTER_SETS["float64"]):
        found, why = _try_set(cset, perf)
        if found is not None:
            if notes:
                return PerfProbe(True, f"{found.reason}; note: {'; '.join(notes)}",
                                 found.counter_set, found.description, found.simd_weighted,
                                 found.events)
            return found
        notes.append(why)
    return PerfProbe(False, "no usable hardware counters: " + "; ".join(notes))
