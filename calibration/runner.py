"""Parent side of a run: schedules worker processes and collects their results.

Isolation: each job -- one suite category (or a chunk of at most
``chunk_size`` of its ops) for one repeat -- runs in a fresh child process,
which also measures the ``np.add`` / ``np.abs`` reference before and after its
ops; the references of a repeat's workers are pooled. Repeats are the outer
loop: a burst of noise on the machine hits one repeat of many ops, not every
repeat of one op, and the median over repeats discards it.

Robustness: a worker that crashes or stops answering for ``op_timeout``
seconds is killed; the op it was measuring is recorded as failed with the
reason, and a new worker carries on with the rest of the job. Nothing is
dropped silently.

Workers run with one BLAS/OpenMP thread: weights describe the per-FLOP cost on
one core, not how well a library parallelises on the calibration machine.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from calibration.categories import CATEGORIES
from calibration.inventory import Inventory, PlannedOp
from calibration.methodology import (
    MeasurementError,
    Reference,
    Sample,
    fit_reference,
    pool_references,
)
from calibration.modes import ModeChoice
from calibration.progress import Progress, SilentProgress

__all__ = ["RunSettings", "Job", "OpRun", "SuiteResult", "plan_jobs", "run_suite",
           "worker_environment", "REPO_ROOT"]

#: The repository root (the directory holding ``calibration/`` and ``flopscope/``).
REPO_ROOT = Path(__file__).resolve().parent.parent

_SINGLE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                  "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(frozen=True)
class RunSettings:
    """How a run is carried out (what is measured is the :class:`Inventory`)."""

    dtype: str = "float64"
    repeats: int = 5
    size_divisor: int = 1
    chunk_size: int = 60
    seed: int = 20_240_601
    op_timeout: float = 300.0
    python: str = sys.executable
    root: Path = REPO_ROOT


@dataclass(frozen=True)
class Job:
    """Ops of one category (or chunk of it) for one repeat, measured by one worker."""

    repeat: int
    category: str
    ops: tuple[PlannedOp, ...]
    seed: int


@dataclass
class OpRun:
    """Everything collected for one op over the run."""

    name: str
    category: str
    repeats: dict[int, tuple[list[Sample], Reference]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    used_out: bool = False


@dataclass
class SuiteResult:
    """The collected measurements of a run: ops, per-worker and pooled per-repeat references."""

    ops: dict[str, OpRun]
    references: list[dict[str, Any]]
    duration: float
    pooled: list[dict[str, Any]] = field(default_factory=list)


def plan_jobs(inventory: Inventory, repeats: int, chunk_size: int, seed: int) -> list[Job]:
    """Jobs in run order: repeats outermost, then categories in suite order, then chunks."""
    if repeats < 1 or chunk_size < 1:
        raise ValueError("repeats and chunk_size must be at least 1")
    by_category: dict[str, list[PlannedOp]] = {}
    for op in inventory.measured:
        by_category.setdefault(op.category, []).append(op)
    jobs = []
    for repeat in range(repeats):
        for category in CATEGORIES:
            ops = by_category.get(category, [])
            for start in range(0, len(ops), chunk_size):
                chunk = tuple(ops[start:start + chunk_size])
                jobs.append(Job(repeat, category, chunk, seed + 1000 * repeat + len(jobs)))
    return jobs


def worker_environment(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a worker: single-threaded BLAS, unit weights, the repo importable."""
    env = dict(os.environ)
    for name in _SINGLE_THREAD:
        env[name] = "1"
    env["FLOPSCOPE_DISABLE_WEIGHTS"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


_TIMEOUT = object()


def _events(proc: subprocess.Popen, timeout: float) -> Iterator[Any]:
    """Decoded JSON lines of ``proc``'s stdout; ``_TIMEOUT`` if none comes within ``timeout``."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    try:
        while True:
            if not selector.select(timeout):
                yield _TIMEOUT
                return
            line = proc.stdout.readline()
            if not line:
                return
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue
    finally:
        selector.close()


class _Worker:
    """One child process measuring a list of ops."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, job: dict[str, Any]):
        self.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=cwd, env=env, text=True)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job))
        self.proc.stdin.close()
        self.stderr_tail = ""

    def finish(self, grace: float = 10.0, lines: int = 5) -> None:
        """Let the worker exit (killing it after ``grace`` seconds); keep its stderr's end."""
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.seek(0)
        tail = self.stderr.read().strip().splitlines()[-lines:]
        self.stderr_tail = " | ".join(tail) if tail else "no output on stderr"
        self.stderr.close()


class _Collector:
    """Accumulates worker events into :class:`OpRun` records and references.

    A worker *session* (one child process) contributes reference samples
    (before and after its ops), fitted into one reference when it ends, and op
    samples. When the run ends, the references of each repeat are pooled
    (:func:`~calibration.methodology.pool_references`) and every op's samples
    of that repeat are committed with the pooled reference.
    """

    def __init__(self, inventory: Inventory, progress: Progress) -> None:
        self.ops = {op.name: OpRun(op.name, op.category) for op in inventory.measured}
        self.references: list[dict[str, Any]] = []
        self.progress = progress
        self._by_repeat: dict[int, list[Reference]] = {}
        self._samples: dict[int, list[tuple[str, list[Sample]]]] = {}
        self._add: list[Sample] = []
        self._abs: list[Sample] = []

    def begin_session(self) -> None:
        self._add, self._abs = [], []

    @property
    def has_reference(self) -> bool:
        return bool(self._add and self._abs)

    def reference(self, event: dict[str, Any]) -> None:
        self._add.extend(Sample.from_json(s) for s in event["add"])
        self._abs.extend(Sample.from_json(s) for s in event["abs"])

    def op(self, job: Job, event: dict[str, Any]) -> None:
        run = self.ops[event["name"]]
        run.seconds += float(event.get("seconds", 0.0))
        if event["status"] == "ok":
            samples = [Sample.from_json(s) for s in event["samples"]]
            self._samples.setdefault(job.repeat, []).append((run.name, samples))
            run.used_out = run.used_out or bool(event.get("out"))
        else:
            run.errors.append(f"repeat {job.repeat + 1}: {event.get('error', 'failed')}")
        self.progress.advance(f"{job.category} · {event['name']}")

    def end_session(self, job: Job) -> None:
        """Fit the session's reference from its reference samples."""
        if not self.has_reference:
            return
        try:
            ref = fit_reference(self._add, self._abs)
        except MeasurementError as exc:
            self.progress.note(
                f"repeat {job.repeat + 1}, {job.category}: reference unusable: {exc}")
            return
        self._by_repeat.setdefault(job.repeat, []).append(ref)
        self.references.append({"repeat": job.repeat, "category": job.category,
                                "dispatch": ref.dispatch, "unit": ref.unit})

    def fail(self, job: Job, name: str, why: str) -> None:
        self.ops[name].errors.append(f"repeat {job.repeat + 1}: {why}")
        self.progress.advance(f"{job.category} · {name} (failed)")

    def finish(self) -> list[dict[str, Any]]:
        """Commit every repeat's samples with that repeat's pooled reference."""
        pooled = []
        for repeat, measured in sorted(self._samples.items()):
            refs = self._by_repeat.get(repeat, [])
            if not refs:
                for name, _ in measured:
                    self.ops[name].errors.append(f"repeat {repeat + 1}: no usable reference")
                continue
            ref = pool_references(refs)
            pooled.append({"repeat": repeat, "dispatch": ref.dispatch, "unit": ref.unit,
                           "workers": len(refs)})
            for name, samples in measured:
                self.ops[name].repeats[repeat] = (samples, ref)
        return pooled


#: How much longer an op may take under valgrind than natively.
_CALLGRIND_SLOWDOWN = 20


def _worker_launch(settings: RunSettings, mode: ModeChoice,
                   scratch: Path) -> tuple[list[str], dict[str, str], float]:
    """Command, environment and per-op timeout of a worker in ``mode``."""
    command = [settings.python, "-m", "calibration.worker"]
    extra: dict[str, str] = {}
    timeout = settings.op_timeout
    if mode.name == "callgrind":
        from calibration.meters.callgrind import OUT_TEMPLATE_ENV, valgrind_command

        template = str(scratch / "callgrind.%p")
        command = valgrind_command(template) + command
        extra[OUT_TEMPLATE_ENV] = template
        timeout *= _CALLGRIND_SLOWDOWN
    return command, worker_environment(settings.root, extra), timeout


def _run_job(job: Job, settings: RunSettings, mode: ModeChoice, collector: _Collector,
             scratch: Path) -> None:
    """Measure ``job``'s ops, restarting the worker after a crash or a timeout."""
    pending = [op.name for op in job.ops]
    categories = {op.name: op.category for op in job.ops}
    command, env, timeout = _worker_launch(settings, mode, scratch)
    while pending:
        payload = {"mode": mode.worker_spec(), "dtype": settings.dtype, "seed": job.seed,
                   "size_divisor": settings.size_divisor,
                   "ops": [{"name": n, "category": categories[n]} for n in pending]}
        worker = _Worker(command, env, settings.root, payload)
        collector.begin_session()
        problem = ""
        try:
            for event in _events(worker.proc, timeout):
                if event is _TIMEOUT:
                    problem = f"timed out (no result within {timeout:.0f}s)"
                    break
                kind = event.get("event")
                if kind == "reference":
                    collector.reference(event)
                elif kind == "op" and collector.has_reference and event.get("name") in pending:
                    pending.remove(event["name"])
                    collector.op(job, event)
                elif kind == "fatal":
                    problem = "worker failed: " + event["error"].strip().splitlines()[-1]
                    break
                elif kind == "done":
                    break
        finally:
            worker.finish(grace=0.0 if problem else 10.0)
            collector.end_session(job)
        if not pending:
            return
        if not problem:
            problem = f"worker exited unexpectedly ({worker.stderr_tail})"
        if not collector.has_reference:  # nothing can be measured by this job
            for name in pending:
                collector.fail(job, name, problem)
            return
        collector.fail(job, pending.pop(0), problem)


def run_suite(inventory: Inventory, settings: RunSettings, mode: ModeChoice,
              progress: Progress | None = None) -> SuiteResult:
    """Measure every op of ``inventory`` ``settings.repeats`` times."""
    progress = progress or SilentProgress()
    jobs = plan_jobs(inventory, settings.repeats, settings.chunk_size, settings.seed)
    collector = _Collector(inventory, progress)
    started = time.monotonic()
    progress.start(sum(len(job.ops) for job in jobs))
    try:
        with tempfile.TemporaryDirectory(prefix="calibration-") as scratch:
            for job in jobs:
                _run_job(job, settings, mode, collector, Path(scratch))
    finally:
        progress.stop()
    pooled = collector.finish()
    return SuiteResult(collector.ops, collector.references, time.monotonic() - started, pooled)
