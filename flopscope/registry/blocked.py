"""Blocked callables: NumPy functions flopscope deliberately does not offer.

A blocked name raises ``AttributeError`` when it is looked up on a flopscope
module (``fnp.save``) and when NumPy's own function is called on a flopscope
array (``np.save(f, x)``, through the routing's ``BLOCKED`` table). The
message is the entry's ``notes``: why the function is unavailable and what
to do instead.

What is blocked, and why:

* **file I/O** (``save``, ``load``, ``fromfile``...): code under a FLOP budget
  computes on arrays it is given and returns arrays; reading and writing
  files belongs to the caller.
* **process configuration** (``set_printoptions``, ``seterr``,
  ``setbufsize``... and their getters): global NumPy state that budgeted
  code must not change for the rest of the process.
* **system and introspection** (``show_config``, ``get_include``, ``info``,
  the ``test`` runners, most of ``numpy.testing``'s infrastructure).
* **uncountable computation**: Python run per element (``frompyfunc``,
  ``nested_iters``), ``numpy.matrix`` arithmetic (``asmatrix``, ``bmat``),
  and datetime business-day arithmetic, which has no cost rule.

Classes withheld for the same reasons (``matrix``, ``vectorize``,
``nditer``...) are listed in :mod:`flopscope.registry.passthrough`. The
generated ``docs/blocked.md`` lists both.
"""

from __future__ import annotations

import importlib

from flopscope.registry._core import Category, OpDef, register

__all__ = ["BLOCKED", "entry_name", "register_all"]

# -- reasons: why the callable is unavailable, then what to do instead -------------------

_WRITE_FILES = (
    "writing files is not available inside a FLOP budget. Return the arrays from your "
    "function and let the caller save them."
)
_READ_FILES = (
    "reading files is not available inside a FLOP budget. Load the data before the "
    "budgeted code runs and pass it in as arrays (fnp.asarray converts them for free)."
)
_PRINT_OPTIONS = (
    "print options are process-wide NumPy configuration that budgeted code must not change. "
    "Pass the options to fnp.array2string / fnp.array_str / fnp.array_repr instead, which "
    "take them as arguments and are free."
)
_ERROR_STATE = (
    "floating-point error handling is process-wide NumPy configuration that budgeted code "
    "must not change. Check results explicitly instead, with fnp.isfinite or fnp.isnan."
)
_BUFFER_SIZE = (
    "the ufunc buffer size is a NumPy performance setting, not computation, and flopscope's "
    "costs do not depend on it. There is nothing to set; remove the call."
)
_BUILD_INFO = (
    "build and runtime details of the NumPy installation are system introspection, not "
    "computation. Call numpy.show_config() / numpy.show_runtime() outside the budgeted code."
)
_GET_INCLUDE = (
    "NumPy's C header directory is for compiling extensions, not for computation. Call "
    "numpy.get_include() from your build script."
)
_INFO = (
    "interactive help prints documentation and is not computation. Use help(fnp.<name>) "
    "or the reference in docs/reference/operations.md outside the budgeted code."
)


def _test_suite(package: str) -> str:
    return (
        "running NumPy's own test suite is not computation on your arrays. Run "
        f"`python -m pytest --pyargs {package}` outside the budgeted code."
    )


_PYTHON_PER_ELEMENT = (
    "it runs arbitrary Python for every element, which flopscope cannot count. Express the "
    "computation with whole-array fnp operations."
)
_ELEMENT_ITERATION = (
    "element-by-element iteration hands values to Python, where arithmetic is not counted. "
    "Use whole-array fnp operations (or fnp.ndindex for index tuples)."
)
_MATRIX = (
    "numpy.matrix arithmetic (where * is a matrix product) bypasses flopscope's count. Use "
    "2-D fnp arrays with @ / fnp.matmul, and fnp.block to assemble blocks."
)
_BUSINESS_DAYS = (
    "business-day calendar arithmetic on datetime64 has no cost rule in flopscope, and "
    "running it uncounted would escape the budget. Compute calendar offsets before the "
    "budgeted code runs and pass them in."
)
_TEST_HARNESS = (
    "it is numpy.testing's test-suite infrastructure, not computation on your arrays. Use "
    "the fnp.testing assertions (assert_allclose, assert_array_equal...) instead."
)
_GARBAGE = (
    "forcing garbage collection is process housekeeping of NumPy's test suite, not "
    "computation. Call gc.collect() outside the budgeted code if you need it."
)
_SYSTEM_PROBE = (
    "it reads process CPU or memory counters from the operating system, which is system "
    "introspection, not computation. Use flops.BudgetContext(wall_time_limit_s=...) and the "
    "budget summary's timings to measure budgeted code."
)
_EXEC_STRING = (
    "it executes a code string, hiding that code's operations from flopscope's accounting. "
    "Call the fnp functions directly."
)
_THREADS = (
    "it runs a function on several threads, and flopscope budgets are per thread, so the "
    "workers' operations would be charged outside your budget context. Call the function "
    "directly."
)
_TEMP_FILES = (
    "temporary files and directories are file I/O, which is not available inside a FLOP "
    "budget. Create them outside the budgeted code."
)
_PRINT_COMPARE = (
    "it prints instead of raising and is NumPy test-suite infrastructure. Use "
    "fnp.testing.assert_equal, which compares (and is counted) like NumPy's."
)

#: public NumPy module -> {attribute: reason it is blocked and what to do instead}.
BLOCKED: dict[str, dict[str, str]] = {
    "numpy": {
        # file I/O
        "save": _WRITE_FILES,
        "savez": _WRITE_FILES,
        "savez_compressed": _WRITE_FILES,
        "savetxt": _WRITE_FILES,
        "load": _READ_FILES,
        "loadtxt": _READ_FILES,
        "genfromtxt": _READ_FILES,
        "fromfile": _READ_FILES,
        "fromregex": _READ_FILES,
        # process configuration
        "set_printoptions": _PRINT_OPTIONS,
        "get_printoptions": _PRINT_OPTIONS,
        "printoptions": _PRINT_OPTIONS,
        "seterr": _ERROR_STATE,
        "geterr": _ERROR_STATE,
        "seterrcall": _ERROR_STATE,
        "geterrcall": _ERROR_STATE,
        "setbufsize": _BUFFER_SIZE,
        "getbufsize": _BUFFER_SIZE,
        # system and introspection
        "show_config": _BUILD_INFO,
        "show_runtime": _BUILD_INFO,
        "get_include": _GET_INCLUDE,
        "info": _INFO,
        "test": _test_suite("numpy"),
        # computation flopscope cannot count
        "frompyfunc": _PYTHON_PER_ELEMENT,
        "nested_iters": _ELEMENT_ITERATION,
        "asmatrix": _MATRIX,
        "bmat": _MATRIX,
        "busday_count": _BUSINESS_DAYS,
        "busday_offset": _BUSINESS_DAYS,
        "is_busday": _BUSINESS_DAYS,
    },
    # The ``test`` runners of numpy.linalg and numpy.fft are blocked by their families
    # (flopscope.registry.linalg / fft), next to their other entries.
    "numpy.random": {"test": _test_suite("numpy.random")},
    "numpy.testing": {
        "test": _test_suite("numpy.testing"),
        "rundocs": _test_suite("numpy"),
        "decorate_methods": _TEST_HARNESS,
        "check_support_sve": _TEST_HARNESS,
        "print_assert_equal": _PRINT_COMPARE,
        "break_cycles": _GARBAGE,
        "jiffies": _SYSTEM_PROBE,
        "memusage": _SYSTEM_PROBE,
        "measure": _EXEC_STRING,
        "runstring": _EXEC_STRING,
        "run_threaded": _THREADS,
        "tempdir": _TEMP_FILES,
        "temppath": _TEMP_FILES,
    },
}


def entry_name(module: str, attr: str) -> str:
    """Registry name of ``module.attr``: ``save``, ``testing.tempdir``, ``linalg.test``."""
    return attr if module == "numpy" else f"{module.removeprefix('numpy.')}.{attr}"


def register_all() -> None:
    """One ``blocked`` entry per name the installed NumPy has."""
    for module, names in BLOCKED.items():
        real = importlib.import_module(module)
        for attr, reason in names.items():
            target = getattr(real, attr, None)
            if target is None:  # not in this NumPy version
                continue
            register(OpDef(
                entry_name(module, attr), Category.BLOCKED, module, attr,
                numpy_func=target, notes=reason,
            ))
