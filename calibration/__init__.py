"""flopscope's calibration suite: measures the per-operation weights.

Run from the repository root::

    python -m calibration --dtype float64 --output weights.json --html report.html --repeats 5
    python -m calibration package weights.json        # -> flopscope/data/weights.json

How it is organised (one concern per module):

==========================  ==============================================================
module                      concern
==========================  ==============================================================
``categories``              the 13 suite categories and how a registry entry maps to one
``inventory``               what a run measures, emits at 0.0, or skips (and why)
``inputs/``                 per-op input generators (sizes, value distributions, ``out=``)
``meters/``                 measurement modes: ``timing``, ``perf``, ``callgrind``
``modes``                   choosing a mode and saying why
``worker``                  child process: measures a chunk of ops, streams JSON lines
``runner``                  parent: schedules workers, collects and pools their results
``progress`` / ``estimate`` the progress bar; the duration estimate printed before a run
``methodology``             pure arithmetic: reference, alpha_raw, overhead, weight, spread
``official``                official values: one weight per group, power-of-two grid, hysteresis
``artifacts``               the rich ``weights.json`` and the slim packaged runtime file
``compare``                 agreement between two runs (repeatability, mode comparison)
``report`` / ``svg``        the self-contained HTML report and its inline SVG plots
``machine``                 machine and library metadata
``cli``                     the command line (``run``, ``plan``, ``package``, ``report``,
                            ``compare``, ``finalize``)
==========================  ==============================================================

The methodology is described in ``docs/calibration.md``.
"""

from __future__ import annotations

__all__ = ["SCHEMA"]

#: Identifies the rich weights file format written by this suite.
SCHEMA = "flopscope-calibration/1"
