"""The "Exploit symmetry" guide's examples run, and print the numbers the guide shows."""

from __future__ import annotations

import doctest
import pathlib

GUIDE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "symmetry.md"


def test_every_example_in_the_symmetry_guide():
    result = doctest.testfile(str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS,
                              raise_on_error=False, verbose=False)
    assert result.attempted >= 30
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {GUIDE.name} failed"
