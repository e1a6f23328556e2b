"""One behavioural suite, run in-process and through flopscope-client.

Each scenario is a function ``(flops, fnp) -> observations``: it uses only
the public API both packages share, and returns what it observed (FLOP
counts, summaries, values, error types and messages) as JSON-able data.
``tests/test_remote_behaviour.py`` runs every scenario with the library
in-process and, through this module's ``main``, with the client against a
real server in a separate process (where NumPy is never imported), and
requires the observations to be identical.

Timings differ between runs by nature, so summaries are compared with their
timing lines removed; everything else, including error messages with their
call sites, must match exactly.

Run as a script (the client side)::

    python tests/remote_behaviour.py tcp://127.0.0.1:PORT [scenario ...]

prints ``{"results": {name: observations}, "numpy_imported": bool}`` as JSON.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

Scenario = Callable[[Any, Any], Any]
SCENARIOS: dict[str, Scenario] = {}

_TIMING_PREFIXES = (
    "Total Wall Time",
    "Flopscope Backend",
    "Flopscope Overhead",
    "Residual Wall Time",
)


def scenario(fn: Scenario) -> Scenario:
    """Register ``fn`` under its name."""
    SCENARIOS[fn.__name__] = fn
    return fn


def without_timings(text: str) -> str:
    """A summary's text without its (run-dependent) timing lines."""
    return "\n".join(
        line for line in str(text).splitlines() if not line.strip().startswith(_TIMING_PREFIXES)
    )


def bucket_figures(by_namespace: dict) -> dict:
    """Namespace buckets without their (run-dependent) timing keys."""
    timing = {"wall_time_s", "flopscope_backend_time_s", "flopscope_overhead_time_s",
              "residual_wall_time_s"}
    return {ns: {k: v for k, v in bucket.items() if k not in timing}
            for ns, bucket in by_namespace.items()}


def error_of(call: Callable[[], Any]) -> list[str] | None:
    """``[type name, message]`` of what ``call`` raises, or None."""
    try:
        call()
    except Exception as exc:  # the error itself is the observation
        return [type(exc).__name__, str(exc)]
    return None


def cost_of(budget: Any, call: Callable[[], Any]) -> int:
    """FLOPs ``call`` charged to ``budget``."""
    before = budget.flops_used
    call()
    return budget.flops_used - before


def values(x: Any) -> Any:
    """The value of a result: lists for arrays, recursively through tuples."""
    if isinstance(x, tuple):
        return [values(v) for v in x]
    if hasattr(x, "tolist"):
        return x.tolist()
    return x


# -- the seeds' examples ------------------------------------------------------------------


def _mlp(fnp: Any, depth: int = 5, width: int = 256) -> Any:
    scale = fnp.sqrt(2 / width)
    weights = [fnp.random.randn(width, width) * scale for _ in range(depth)]
    x = fnp.random.randn(width)
    h = x
    for i, W in enumerate(weights):
        h = fnp.einsum("ij,j->i", W, h)
        if i < depth - 1:
            h = fnp.maximum(h, 0)
    return h


@scenario
def readme_mlp(flops: Any, fnp: Any) -> Any:
    fnp.random.seed(0)
    with flops.BudgetContext(flop_budget=10**8, wall_time_limit_s=5.0) as budget:
        h = _mlp(fnp)
    data = budget.summary_dict()
    return {
        "operations": data["operations"],
        "flops_used": budget.flops_used,
        "flops_remaining": budget.flops_remaining,
        "summary": without_timings(budget.summary()),
        "session": flops.budget_summary_dict()["flops_used"],
        "h": values(h),
    }


@scenario
def how_it_works_categories(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=10**15, quiet=True) as budget:
        x = fnp.ones((256, 256))
        row = fnp.ones((256,))
        return [
            cost_of(budget, lambda: fnp.exp(x)),
            cost_of(budget, lambda: fnp.add(x, row)),
            cost_of(budget, lambda: fnp.sum(x)),
            cost_of(budget, lambda: fnp.zeros((256, 256))),
            cost_of(budget, lambda: fnp.reshape(x, (65_536,))),
            cost_of(budget, lambda: fnp.transpose(x)),
        ]


@scenario
def matmul_flow(flops: Any, fnp: Any) -> Any:
    a, b = fnp.ones((100, 200)), fnp.ones((200, 50))
    with flops.BudgetContext(flop_budget=10**7) as budget:
        fnp.matmul(a, b)
    record = budget.op_log[0]
    return {
        "op_name": record.op_name,
        "flop_cost": record.flop_cost,
        "analytical": record.analytical_cost,
        "shapes": record.shapes,
        "cumulative": record.cumulative,
        "namespace": record.namespace,
        "subscripts": record.subscripts,
        "call_site": str(record.call_site),
    }


@scenario
def primer_matmul(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=1_000_000, quiet=True) as square:
        _ = fnp.ones((100, 100)) @ fnp.eye(100)
    with flops.BudgetContext(flop_budget=1_000_000, quiet=True) as vector:
        _ = fnp.ones(100) @ fnp.eye(100)
    return [square.flops_used, vector.flops_used]


@scenario
def cost_queries(flops: Any, fnp: Any) -> Any:
    answers = [
        flops.einsum_cost("ij,jk->ik", shapes=[(256, 256), (256, 256)]),
        flops.svd_cost(m=256, n=256, k=10),
        flops.pointwise_cost("exp", shape=(256, 256)),
        flops.reduction_cost("sum", input_shape=(256, 256)),
        flops.accounting.einsum_cost("ij,j->i", shapes=[(256, 256), (256,)]),
    ]
    return {"answers": answers, "charged": flops.budget_summary_dict()["flops_used"]}


# -- budgets --------------------------------------------------------------------------------


@scenario
def budget_refusal(flops: Any, fnp: Any) -> Any:
    x = fnp.ones((256,))
    with flops.BudgetContext(flop_budget=100) as budget:
        try:
            fnp.exp(x)
        except flops.BudgetExhaustedError as exc:
            refused = {
                "message": str(exc),
                "op_name": exc.op_name,
                "flop_cost": exc.flop_cost,
                "flops_remaining": exc.flops_remaining,
                "flop_budget": exc.flop_budget,
                "flops_used": exc.flops_used,
                "analytical_cost": exc.analytical_cost,
                "record_op": exc.record.op_name,
                "is_flopscope_error": isinstance(exc, flops.FlopscopeError),
            }
        in_place = error_of(lambda: fnp.add(x, 1, out=x))
        return {
            "refused": refused,
            "in_place": in_place,
            "x_untouched": x.tolist()[:3],
            "used_after": budget.flops_used,
            "log_length": len(budget.op_log),
        }


@scenario
def nested_contexts(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=1000):
        return error_of(lambda: flops.BudgetContext(flop_budget=10).__enter__())


@scenario
def time_limit(flops: Any, fnp: Any) -> Any:
    x = fnp.ones((4,))
    with flops.BudgetContext(flop_budget=10**9, wall_time_limit_s=0.05) as budget:
        time.sleep(0.1)
        failure = error_of(lambda: fnp.exp(x))
    return {"error": failure[0] if failure else None, "used": budget.flops_used}


@scenario
def reentered_context(flops: Any, fnp: Any) -> Any:
    x = fnp.ones((10,))
    budget = flops.BudgetContext(flop_budget=10**6, quiet=True)
    with budget:
        fnp.exp(x)
    first = budget.flops_used
    with budget:
        fnp.exp(x)
    return [first, budget.flops_used, budget.flop_budget, budget.flop_multiplier, budget.is_default]


@scenario
def manual_deduct(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=1000, quiet=True) as budget:
        budget.deduct("custom_kernel", flop_cost=100, shapes=((10, 10),))
        over = error_of(lambda: budget.deduct("custom_kernel", flop_cost=10_000))
        negative = error_of(lambda: budget.deduct("custom_kernel", flop_cost=-1))
    return {
        "used": budget.flops_used,
        "last": budget.op_log[-1].op_name,
        "over": over,
        "negative": negative,
    }


@scenario
def bad_budget_arguments(flops: Any, fnp: Any) -> Any:
    return [
        error_of(lambda: flops.BudgetContext(flop_budget=-5)),
        error_of(lambda: flops.BudgetContext(flop_budget=1.5)),
        error_of(lambda: flops.BudgetContext(flop_budget="many")),
        error_of(lambda: flops.BudgetContext(flop_budget=10, namespace="")),
        error_of(lambda: flops.BudgetContext(flop_budget=10, wall_time_limit_s=-1)),
    ]


# -- namespaces and summaries -----------------------------------------------------------------


@scenario
def namespaces(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=1000, namespace="predict") as budget:
        x = fnp.ones((1,))
        with fnp.namespace("fallback"), flops.namespace("sampling") as path:
            fnp.add(x, 1)
        fnp.multiply(x, 2)
    data = budget.summary_dict(by_namespace=True)
    return {
        "path": path,
        "sampling": data["by_namespace"]["predict.fallback.sampling"]["flops_used"],
        "by_namespace": bucket_figures(data["by_namespace"]),
        "summary": without_timings(budget.summary(by_namespace=True)),
        "record_namespaces": [r.namespace for r in budget.op_log],
    }


@scenario
def session_summary(flops: Any, fnp: Any) -> Any:
    x = fnp.ones((64, 64))
    fnp.exp(x)  # in the default context
    with flops.BudgetContext(flop_budget=10**7, quiet=True):
        fnp.sum(x)
        with fnp.namespace("phase"):
            fnp.matmul(x, x)
    data = flops.budget_summary_dict(by_namespace=True)
    return {
        "flops_used": data["flops_used"],
        "operations": data["operations"],
        "by_namespace": bucket_figures(data["by_namespace"]),
        "calls": data["calls"],
        "text": without_timings(flops.budget_summary()),
    }


# -- errors ------------------------------------------------------------------------------------


@scenario
def errors(flops: Any, fnp: Any) -> Any:
    x = fnp.ones((3, 4))
    axis = None
    try:
        fnp.sum(x, axis=5)
    except Exception as exc:  # compared like any other observation
        axis = [
            type(exc).__name__,
            str(exc),
            isinstance(exc, ValueError),
            isinstance(exc, IndexError),
        ]
    dtype = None
    try:
        fnp.exp(fnp.array(["a", "b"]))
    except flops.UnsupportedDtypeError as exc:
        dtype = [
            type(exc).__name__,
            isinstance(exc, TypeError),
            isinstance(exc, flops.FlopscopeError),
        ]
    return {
        "axis": axis,
        "dtype": dtype,
        "broadcast": error_of(lambda: fnp.add(fnp.ones(3), fnp.ones(4))),
        "blocked": error_of(lambda: fnp.save),
        "singular": error_of(lambda: fnp.linalg.inv(fnp.zeros((2, 2)))),
        "index": error_of(lambda: x[10]),
        "len_0d": error_of(lambda: len(fnp.ones(()))),
        "truth": error_of(lambda: bool(x)),
    }


# -- arrays: operators, methods, values ----------------------------------------------------------


@scenario
def operators_and_methods(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        a = fnp.arange(6.0).reshape(2, 3)
        out: dict[str, Any] = {}
        for label, make in [
            ("add", lambda: a + 1),
            ("radd", lambda: 1 + a),
            ("mul", lambda: a * a),
            ("matmul", lambda: a @ a.T),
            ("neg", lambda: -a),
            ("pow", lambda: a**2),
            ("div", lambda: a / 2),
            ("floordiv", lambda: a // 2),
            ("mod", lambda: a % 2),
            ("abs", lambda: abs(-a)),
            ("gt", lambda: a > 2),
            ("eq_all", lambda: (a == a).all()),  # noqa: PLR0124  (elementwise, counted)
            ("sum0", lambda: a.sum(axis=0)),
            ("mean", lambda: a.mean()),
            ("max", lambda: a.max()),
            ("argmax", lambda: a.argmax()),
            ("slice", lambda: a[1:]),
            ("column", lambda: a[:, 0]),
            ("fancy", lambda: a[[1, 0]]),
            ("mask", lambda: a[a > 2]),
            ("copy", lambda: a.copy()),
            ("T", lambda: a.T),
            ("ravel", lambda: a.ravel()),
            ("cumsum", lambda: a.cumsum()),
            ("dot", lambda: a.dot(a.T)),
            ("clip", lambda: a.clip(1, 4)),
            ("round", lambda: (a / 3).round(2)),
        ]:
            before = budget.flops_used
            result = make()
            out[label] = [budget.flops_used - before, values(result)]
        b = a.copy()
        b += 1
        b[0, 0] = 50.0
        b *= 2
        out["in_place"] = [values(b), budget.flops_used]
        out["scalar"] = [float(a[1, 2]), int(a[0, 1]), bool(a[0, 1] > 0), a[1, 2] * 2]
        out["meta"] = [a.shape, a.ndim, a.size, len(a), a.T.shape, a.astype(fnp.float32).shape]
        out["rows"] = [row.tolist() for row in a]
        out["contains"] = [3.0 in a, 42.0 in a]
        out["total"] = budget.flops_used
        return out


@scenario
def printing_and_dtypes(flops: Any, fnp: Any) -> Any:
    x = fnp.linspace(0.0, 1.0, 5)
    y = x.astype(fnp.float32)
    i = fnp.zeros(3, dtype=fnp.int64)
    return {
        "repr": repr(x),
        "str": str(x),
        "repr_f32": repr(y),
        "dtype_eq": [
            y.dtype == fnp.float32,
            y.dtype == "float32",
            x.dtype == fnp.float64,
            i.dtype == fnp.float64,
        ],
        "dtype_names": [str(x.dtype), y.dtype.name, i.dtype.name, y.dtype.itemsize],
        "format": f"{fnp.sum(x):.3f}",
        "empty": values(fnp.zeros((2, 0))),
        "zero_d": values(fnp.ones(())),
        "complex": values(fnp.array([1 + 2j, 3.5 - 1j])),
        "bool": values(fnp.array([True, False])),
        "int8": values(fnp.arange(5, dtype=fnp.int8)),
        "f16": values(fnp.ones(3, dtype=fnp.float16) / 3),
        "nan_inf": values(fnp.array([float("nan"), float("inf"), -float("inf")])),
        "constants": [fnp.pi, fnp.e, fnp.inf, fnp.newaxis is None],
    }


@scenario
def symmetry_same_operand(flops: Any, fnp: Any) -> Any:
    X = fnp.ones((100, 100))
    with flops.BudgetContext(flop_budget=10**8, quiet=True) as budget:
        same = cost_of(budget, lambda: fnp.einsum("ij,ik->jk", X, X))
        different = cost_of(budget, lambda: fnp.einsum("ij,ik->jk", X, X.copy()))
    return [same, different]


# -- a sample of every operation category ---------------------------------------------------------


def _sample(budget: Any, fnp: Any, flops: Any) -> dict[str, Any]:
    x = fnp.linspace(-1.0, 1.0, 12).reshape(3, 4)
    m = fnp.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    v = fnp.array([3.0, 1.0, 2.0, 5.0, 4.0])
    calls: dict[str, Callable[[], Any]] = {
        "unary_exp": lambda: fnp.exp(x),
        "unary_sqrt": lambda: fnp.sqrt(fnp.abs(x)),
        "unary_sin": lambda: fnp.sin(x),
        "binary_maximum": lambda: fnp.maximum(x, 0),
        "binary_where": lambda: fnp.where(x > 0, x, 0.0),
        "binary_power": lambda: fnp.power(x, 3),
        "reduce_mean": lambda: fnp.mean(x, axis=1),
        "reduce_var": lambda: fnp.var(x),
        "reduce_std": lambda: fnp.std(x, axis=0),
        "reduce_prod": lambda: fnp.prod(x + 2),
        "reduce_argmax": lambda: fnp.argmax(x),
        "reduce_any": lambda: fnp.any(x > 0.9),
        "einsum_2": lambda: fnp.einsum("ij,kj->ik", x, x),
        "einsum_3": lambda: fnp.einsum("ij,jk,kl->il", m, m, m),
        "matmul": lambda: fnp.matmul(m, m),
        "dot": lambda: fnp.dot(v, v),
        "outer": lambda: fnp.outer(v, v),
        "sort": lambda: fnp.sort(v),
        "argsort": lambda: fnp.argsort(v),
        "cumsum": lambda: fnp.cumsum(v),
        "free_stack": lambda: fnp.stack([v, v]),
        "free_concat": lambda: fnp.concatenate([v, v]),
        "free_eye": lambda: fnp.eye(3),
        "free_arange": lambda: fnp.arange(4),
        "free_zeros_like": lambda: fnp.zeros_like(x),
        "trace": lambda: fnp.trace(m),
        "unique": lambda: fnp.unique(fnp.array([3, 1, 3, 2])),
        "histogram": lambda: fnp.histogram(v, bins=2),
        "clip": lambda: fnp.clip(v, 2, 4),
    }
    optional: dict[str, tuple[Any, str, Callable[[Any], Any]]] = {
        "fft": (fnp.fft, "fft", lambda f: f(v)),
        "rfft": (fnp.fft, "rfft", lambda f: f(v)),
        "svd": (fnp.linalg, "svd", lambda f: f(m)),
        "solve": (fnp.linalg, "solve", lambda f: f(m, v[:3])),
        "inv": (fnp.linalg, "inv", lambda f: f(m)),
        "det": (fnp.linalg, "det", lambda f: f(m)),
        "cholesky": (fnp.linalg, "cholesky", lambda f: f(m)),
        "norm": (fnp.linalg, "norm", lambda f: f(m)),
        "eigh": (fnp.linalg, "eigh", lambda f: f(m)),
        "polyval": (fnp, "polyval", lambda f: f([1.0, 2.0, 3.0], v)),
        "hanning": (fnp, "hanning", lambda f: f(5)),
        "norm_pdf": (flops.stats, "norm", lambda f: f.pdf(v, loc=1.0, scale=2.0)),
        "norm_cdf": (flops.stats, "norm", lambda f: f.cdf(v)),
    }
    for label, (module, name, use) in optional.items():
        if hasattr(module, name):
            function = getattr(module, name)
            calls[label] = lambda use=use, function=function: use(function)
    observed = {}
    for label, call in calls.items():
        before = budget.flops_used
        result = call()
        observed[label] = [budget.flops_used - before, values(result)]
    return observed


@scenario
def op_categories(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        observed = _sample(budget, fnp, flops)
    observed["total"] = budget.flops_used
    return observed


@scenario
def random_sampling(flops: Any, fnp: Any) -> Any:
    with flops.BudgetContext(flop_budget=10**9, quiet=True) as budget:
        rng = fnp.random.default_rng(42)
        draws = {
            "standard_normal": values(rng.standard_normal((2, 3))),
            "normal": values(rng.normal(1.0, 2.0, size=4)),
            "integers": values(rng.integers(0, 10, size=5)),
            "permutation": values(rng.permutation(6)),
        }
        children = rng.spawn(2)
        draws["child"] = values(children[0].random(2))
        fnp.random.seed(7)
        draws["legacy_randn"] = values(fnp.random.randn(3))
        draws["legacy_rand"] = values(fnp.random.rand(2, 2))
        state = fnp.random.RandomState(3)
        draws["random_state"] = values(state.uniform(size=3))
        draws["used"] = budget.flops_used
        return draws


@scenario
def testing_helpers(flops: Any, fnp: Any) -> Any:
    x = fnp.array([1.0, 2.0, 3.0])
    passed = error_of(lambda: fnp.testing.assert_allclose(x, [1.0, 2.0, 3.0 + 1e-12]))
    failed = error_of(lambda: fnp.testing.assert_array_equal(x, [1.0, 2.0, 4.0]))
    return {"passed": passed, "failed_type": failed[0] if failed else None}


@scenario
def warnings_relayed(flops: Any, fnp: Any) -> Any:
    x = fnp.ones((100,))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with flops.BudgetContext(flop_budget=1000):
            for _ in range(10):
                fnp.exp(x)
        fnp.divide(1.0, fnp.zeros(2))
    return [[w.category.__name__, str(w.message)] for w in caught]


def _observe(fn: Scenario, flops: Any, fnp: Any) -> Any:
    """A scenario's observations, JSON-normalized (tuples become lists), or the error it raised."""
    try:
        result = fn(flops, fnp)
    except Exception as exc:  # reported, and compared, like any observation
        result = {"scenario_error": [type(exc).__name__, str(exc)]}
    return json.loads(json.dumps(result, default=repr))


def run_in_process(name: str) -> Any:
    """Observations of scenario ``name`` with the flopscope library imported in this process.

    The process-wide ledger is reset first, as the client side starts each
    scenario in a fresh session.
    """
    import flopscope as flops
    import flopscope.numpy as fnp
    from flopscope.budget import session

    session.reset()
    return _observe(SCENARIOS[name], flops, fnp)


def main(argv: list[str]) -> int:
    """Run scenarios through flopscope-client against the server at ``argv[0]``; print JSON."""
    import flopscope as flops
    import flopscope.numpy as fnp

    address, names = argv[0], argv[1:] or list(SCENARIOS)
    results = {}
    for name in names:
        flops.connect(address)  # a fresh session per scenario, as each test is fresh in-process
        results[name] = _observe(SCENARIOS[name], flops, fnp)
        flops.disconnect()
    print(json.dumps({"results": results, "numpy_imported": "numpy" in sys.modules}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
