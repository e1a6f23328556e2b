"""Where and with what a run measured: machine, operating system and library versions."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["machine_info", "library_info", "describe_machine"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _hypervisor() -> bool:
    try:
        return " hypervisor" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


_VERSION = re.compile(r"\d+(?:\.\d+)+")


def _tool_version(command: list[str]) -> str | None:
    """Version number printed by ``command`` (``perf --version``...), ``None`` if absent."""
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _VERSION.search(done.stdout or done.stderr or "")
    return found.group(0) if found else None


def machine_info() -> dict[str, Any]:
    """CPU, core count, OS and kernel of this machine."""
    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "architecture": platform.machine(),
        "virtual_machine": _hypervisor(),
        "os": platform.platform(),
        "kernel": platform.release(),
    }


def _blas() -> str:
    import numpy as np

    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # show_config's layout varies across NumPy versions
        return "unknown"


def _git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def library_info(root: Path) -> dict[str, Any]:
    """Versions of Python, NumPy (and its BLAS), SciPy, flopscope, perf and valgrind."""
    import numpy as np
    import scipy

    import flopscope

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": _blas(),
        "scipy": scipy.__version__,
        "flopscope": getattr(flopscope, "__version__", "unknown"),
        "flopscope_commit": _git_commit(root),
        "perf": _tool_version(["perf", "--version"]),
        "valgrind": _tool_version(["valgrind", "--version"]),
    }


def describe_machine(machine: dict[str, Any]) -> str:
    """One line: ``AMD EPYC, 2 logical CPUs (virtual machine), Linux-6.1...``."""
    vm = " (virtual machine)" if machine.get("virtual_machine") else ""
    return (f"{machine.get('cpu', '?')}, {machine.get('logical_cpus', '?')} logical CPUs{vm}, "
            f"{machine.get('os', '?')}")
