"""Worst cases of costing a symmetric einsum: the bounded symmetry search, timed.

Costing an einsum whose operands carry large symmetry groups (or repeat one
array many times) searches for the label permutations that leave it
invariant (flopscope.symmetry.contraction.label_group). The search is
bounded (SEARCH_BUDGET candidates per einsum, see that module); this script
times the whole costing (path search + symmetry search, caches cleared
before every repeat) for the cases that were slowest unbounded, next to the
same einsum's dense costing and to plain NumPy executing it, all in one run.

    python benchmarks/symmetry_search.py            # 5 repeats per case
    python benchmarks/symmetry_search.py --repeats 9

Target (issue 12 item 5): every case well under 100 ms. Medians; the
machine may be shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import string
import time
from typing import Any

import numpy as np

import flopscope as flops
from flopscope.cost import einsum as dense_einsum
from flopscope.cost.einsum import contraction_path, parse_einsum
from flopscope.symmetry import contraction


def _clear() -> None:
    for fn in (contraction.label_group, contraction.step_cost, contraction.output_symmetry,
               dense_einsum._symmetric_path_cached,
               dense_einsum._path_cached, dense_einsum._parse_cached):
        fn.cache_clear()


def _symmetric(k: int, n: int = 2) -> Any:
    data = np.ones((n,) * k)
    return flops.as_symmetric(data)


def cases() -> list[tuple[str, str, list[Any]]]:
    out = []
    for k in (5, 6, 7, 8):
        sub = string.ascii_lowercase[:k]
        out.append((f"S{k} x S{k}, 2^{k} each, '{sub},{sub[::-1]}->{sub[:2]}'",
                    f"{sub},{sub[::-1]}->{sub[:2]}", [_symmetric(k), _symmetric(k)]))
    s6 = _symmetric(6)
    out.append(("S6 three times, 'abcdef,cdefgh,efghij->abij'", "abcdef,cdefgh,efghij->abij",
                [s6, s6, s6]))
    sym = _symmetric(2, 8)
    for n in (6, 10, 16):
        letters = string.ascii_letters[: n + 1]
        sub = ",".join(letters[i:i + 2] for i in range(n)) + f"->{letters[0]}{letters[n]}"
        out.append((f"one symmetric (8,8) matrix {n} times (a chain)", sub, [sym] * n))
    return out


def _median_ms(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        _clear()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"search budget: {contraction.SEARCH_BUDGET} candidates per einsum")
    print(f"{'case':<58} {'symmetric ms':>12} {'dense ms':>9} {'numpy ms':>9} {'cost':>10} {'dense':>10}")
    for label, sub, ops in cases():
        spec = parse_einsum(sub, *ops)
        sym = contraction.EinsumSymmetry.of(ops)
        sym_ms = _median_ms(lambda: contraction_path(spec, "auto", sym), args.repeats)
        dense_ms = _median_ms(lambda: contraction_path(spec, "auto"), args.repeats)
        plain = [np.asarray(o) for o in ops]
        numpy_ms = statistics.median(
            _timed(lambda: np.einsum(sub, *plain, optimize=True)) for _ in range(args.repeats))
        cost = contraction_path(spec, "auto", sym).cost
        dense = contraction_path(spec, "auto").cost
        print(f"{label:<58} {sym_ms:>12.2f} {dense_ms:>9.2f} {numpy_ms:>9.2f} {cost:>10,} {dense:>10,}")


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1e3


if __name__ == "__main__":
    main()
