"""Executors: interpreters over the registry's callables.

* :mod:`~flopscope.exec.eager` / :mod:`~flopscope.exec.eager_ufunc` — unwrap and
  cost a call, then :mod:`~flopscope.exec.execute` checks the budget, runs NumPy
  and records;
* :mod:`~flopscope.exec.dry` — derive shapes and costs, run nothing (plans);
* :mod:`~flopscope.exec.shapes` — the shape rules the dry executor evaluates;
* :mod:`~flopscope.exec.array` / :mod:`~flopscope.exec.abstract` — the eager and
  abstract array types, and :mod:`~flopscope.exec.routing`, which brings NumPy's
  override protocols back to the registry.
"""
