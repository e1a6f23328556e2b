"""The symmetry pass: what the executors ask when a call involves symmetry.

The executors call :func:`symmetry_pass` for a counted call with a symmetric
positional argument, or an einsum with the same array at two operand
positions (eagerly on the general path, and in plans)::

    symmetry_pass(op, args, kwargs, analytical) -> (analytical, post, tags)

``args`` / ``kwargs`` are the caller's own objects, so identity and declared
symmetry are intact; ``analytical`` is the dense cost the op's cost rule
computed. The pass returns the symmetric cost, a ``post`` function the
executor applies to the wrapped result (it attaches the result's symmetry and
emits :class:`~flopscope.errors.SymmetryLossWarning` for dropped groups, only
once the call has run), and tags for the call's record:

``symmetry``
    the result's symmetry as text (``S2{0,1}``; einsum results name their
    subscripts, ``S2{j,k}``), or ``none``;
``symmetry_inputs``
    ``{producer node id: symmetry text}`` for each symmetric input that came
    from a recorded call (so graph edges can show what flowed along them);
``symmetry_saving``
    dense cost minus charged cost (analytical FLOPs).

Everything here also accepts abstract arrays of a plan (anything with
``.shape``, ``.dtype`` and a ``.tags`` dict holding ``"symmetry"``). The
rules for free view operations (``transpose``, ``reshape``, ``copy``...) are
here too, ready for the executors' free paths; the array methods of
:class:`~flopscope.symmetry.SymmetricTensor` apply the same rules directly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
from opt_einsum import get_symbol

from flopscope.cost._shapes import broadcast_shapes, normalize_axes, normalize_axis, numel, shape_of
from flopscope.cost.einsum import contraction_path, index_product, parse_einsum
from flopscope.exec.array import source_of
from flopscope.exec.shapes import bind_arguments
from flopscope.registry import Category, OpDef
from flopscope.symmetry import propagation as rules
from flopscope.symmetry.claims import one_call
from flopscope.symmetry.contraction import EinsumSymmetry, lost_groups, output_symmetry
from flopscope.symmetry.counting import unique_elements
from flopscope.symmetry.groups import Symmetry, describe
from flopscope.symmetry.path import plan_einsum_path
from flopscope.symmetry.tensor import SymmetricTensor, attach, set_symmetry, symmetry_of, void

__all__ = ["symmetry_pass", "matmul_family_subscripts"]

Result = tuple[int, Callable[[Any], Any] | None, dict | None]

_OPERAND_EXCLUDED = frozenset({"out", "where", "dtype", "casting", "order", "subok", "signature",
                               "axes", "axis", "keepdims"})
_CUMULATIVE = frozenset({"cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum",
                         "cumulative_prod"})
_IN_PLACE = frozenset({"ndarray.sort", "ndarray.partition"})


def symmetry_pass(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    """Adjust one call for the symmetry of its arguments (see the module docstring)."""
    rule = _RULES.get(op.name)
    if rule is None:
        rule = _rule_for(op)
    with one_call():  # each input's fingerprint is checked once while costing this call
        cost, post, tags = rule(op, args, kwargs, analytical)
    if post is None:
        return cost, post, tags
    declared = any(rules.is_declared(a) for a in (*args, *kwargs.values()))
    return cost, _provenance(post, declared), tags


def _provenance(post: Callable[[Any], Any], declared: bool) -> Callable[[Any], Any]:
    """``post`` that warns only about declared symmetry and marks results carrying it.

    Symmetry a result keeps from a declared input stays "declared" (a later
    loss is worth a warning); symmetry flopscope inferred (equal operands) is
    not, and losing it is silent (see :func:`~flopscope.symmetry.propagation.warn_lost`).
    """

    def post_with_provenance(result: Any) -> Any:
        token = rules.DECLARED.set(declared)
        try:
            result = post(result)
        finally:
            rules.DECLARED.reset(token)
        if declared:
            _mark_declared(result)
        return result

    return post_with_provenance


def _mark_declared(result: Any) -> None:
    if type(result) in (tuple, list):
        for r in result:
            _mark_declared(r)
    elif isinstance(result, SymmetricTensor):
        result._fs_declared = True
    elif type(getattr(result, "tags", None)) is dict and result.tags.get("symmetry"):
        result.tags["symmetry_declared"] = True


def _rule_for(op: OpDef) -> Callable[[OpDef, tuple, dict, int], Result]:
    name = op.name
    if op.category in (Category.UNARY, Category.BINARY):
        return _pointwise
    if op.category is Category.REDUCTION:
        if name in _CUMULATIVE or name.endswith(".accumulate"):
            return _cumulative
        if name.endswith(".reduceat"):
            return _default
        return _reduction
    if name in _IN_PLACE or name.endswith(".at"):
        return _in_place
    return _default


# -- shared pieces ---------------------------------------------------------------------------


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (np.generic, type))


def _inputs(values: Any) -> dict[int, str]:
    """``{producer node id: symmetry text}`` for the symmetric arrays among ``values``."""
    found: dict[int, str] = {}
    for x in values:
        symmetry = symmetry_of(x)
        if not symmetry:
            continue
        src = source_of(x) if isinstance(x, np.ndarray) else getattr(x, "_fs_src", None)
        for node in src or ():
            found[node] = describe(symmetry)
    return found


def _tags(text: str, saving: int, args: tuple, kwargs: dict) -> dict:
    inputs = (*args, *(v for k, v in kwargs.items() if k != "out"))
    return {"symmetry": text, "symmetry_inputs": _inputs(inputs), "symmetry_saving": saving}


def _outs(kwargs: dict) -> tuple:
    out = kwargs.get("out")
    if out is None:
        return ()
    return tuple(o for o in (out if type(out) is tuple else (out,)) if o is not None)


def _finisher(op_name: str, kwargs: dict, symmetry: Symmetry,
              warn: Callable[[], None] | None = None) -> Callable[[Any], Any]:
    """``post``: warn about dropped groups, then give the result (or ``out=``) its symmetry."""
    outs = _outs(kwargs)

    def post(result: Any) -> Any:
        if outs:
            # Written into existing arrays: a SymmetricTensor out= that loses groups says so
            # itself, and that one warning describes the loss.
            if not any([set_symmetry(o, symmetry, op_name) for o in outs]) and warn is not None:
                warn()
            return result
        if warn is not None:
            warn()
        return attach(result, symmetry)

    return post


def _default(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    """No rule for this op: dense cost, a plain result, ``out=`` loses its symmetry."""
    return analytical, _finisher(op.name, kwargs, ()), _tags("none", 0, args, kwargs)


def _in_place(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    """Methods that rewrite their array (``x.sort()``): the write voids its claim."""
    target = args[0] if args else None

    def post(result: Any) -> Any:
        if isinstance(target, np.ndarray):
            void(target)
        return result

    return analytical, post, _tags("none", 0, args, kwargs)


# -- pointwise ---------------------------------------------------------------------------------


def _pointwise(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    operands = list(args) + [v for k, v in kwargs.items() if k not in _OPERAND_EXCLUDED]
    specs = tuple((shape_of(x), symmetry_of(x)) for x in operands)
    out_shape = broadcast_shapes(*[s for s, _ in specs], *[shape_of(o) for o in _outs(kwargs)])
    where = kwargs.get("where", True)
    masked = where is not True and where is not np._NoValue
    symmetry, lost, unique, text = _pointwise_plan(specs, out_shape, masked)
    cost = unique if analytical == numel(out_shape) else analytical

    def warn() -> None:
        for index, group, why in lost:
            rules.warn_lost(op.name, [(group, why)], f"operand {index}")

    return (cost, _finisher(op.name, kwargs, symmetry, warn if lost else None),
            _tags(text, analytical - cost, args, kwargs))


@lru_cache(maxsize=1024)
def _pointwise_plan(specs: tuple, out_shape: tuple[int, ...], masked: bool) -> tuple:
    """(result symmetry, lost groups, unique output elements, symmetry text) of a pointwise call."""
    if masked:  # masked-out elements keep out='s old values: no claim is possible
        lost = tuple((i, g, "a where= mask selects elements") for i, (_, sym) in enumerate(specs) for g in sym)
        return (), lost, numel(out_shape), "none"
    symmetry, lost = rules.pointwise_rule(specs, out_shape)
    return symmetry, lost, unique_elements(out_shape, symmetry), describe(symmetry)


# -- reductions -------------------------------------------------------------------------------


_REDUCTION_KEYWORDS = frozenset({"axis", "dtype", "out", "keepdims", "initial", "where", "ddof",
                                 "correction", "mean"})


def _bound(op: OpDef, args: tuple, kwargs: dict) -> tuple[Any, Any, bool, Any]:
    """``(array, axis, keepdims, where)`` of a reduction call, NumPy defaults applied.

    NumPy's reductions and ``ufunc.reduce`` all take ``(array, axis, ...)``;
    the common forms (``x.sum()``, ``fnp.mean(x, axis=0)``) are read
    directly, anything else through the function's signature.
    """
    ufunc_method = "." in op.name  # ufunc.reduce(array, axis=0, dtype, out, keepdims, initial, where)
    if args and len(args) <= 2 and _REDUCTION_KEYWORDS.issuperset(kwargs):
        axis = args[1] if len(args) > 1 else kwargs.get("axis", 0 if ufunc_method else None)
        keepdims = kwargs.get("keepdims", False)
        where = kwargs.get("where", True)
        return args[0], axis, keepdims is not np._NoValue and bool(keepdims), where
    if ufunc_method:
        array = args[0] if args else kwargs.get("array")
        axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
        keepdims = args[4] if len(args) > 4 else kwargs.get("keepdims", False)
        return array, axis, bool(keepdims), kwargs.get("where", True)
    named = bind_arguments(op.numpy_func or op.impl, args, kwargs)
    array = named.get("a", named.get("x", args[0] if args else None))
    keepdims = named.get("keepdims", False)
    return array, named.get("axis"), keepdims is not np._NoValue and bool(keepdims), named.get("where", True)


def _reduction(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    array, axis, keepdims, where = _bound(op, args, kwargs)
    shape = shape_of(array)
    declared = symmetry_of(array)
    if where is not True and where is not np._NoValue:
        usable: Symmetry = ()
        symmetry: Symmetry = ()
    else:
        axes = normalize_axes(axis, len(shape)) if axis is not None else tuple(range(len(shape)))
        usable, symmetry = rules.reduction_rule(shape, declared, axes, keepdims)
    cost = unique_elements(shape, usable) if analytical == numel(shape) else analytical
    return (cost, _finisher(op.name, kwargs, symmetry),
            _tags(describe(symmetry), analytical - cost, args, kwargs))


def _cumulative(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    if "." in op.name:
        array = args[0] if args else kwargs.get("array")
        axis = args[1] if len(args) > 1 else kwargs.get("axis", 0)
    else:
        named = bind_arguments(op.numpy_func or op.impl, args, kwargs)
        array = named.get("a", named.get("x", args[0] if args else None))
        axis = named.get("axis")
    shape = shape_of(array)
    declared = symmetry_of(array)
    if axis is None and len(shape) != 1:
        symmetry: Symmetry = ()
        lost = [(g, "the scan runs over the flattened array") for g in declared]
    else:
        scanned = normalize_axis(0 if axis is None else axis, len(shape))
        symmetry, lost = rules.cumulative_rule(shape, declared, scanned)
    cost = unique_elements(shape, symmetry) if analytical == numel(shape) else analytical

    def warn() -> None:
        rules.warn_lost(op.name, lost, "its input")

    return (cost, _finisher(op.name, kwargs, symmetry, warn if lost else None),
            _tags(describe(symmetry), analytical - cost, args, kwargs))


# -- einsum and the matmul family -------------------------------------------------------------


def _einsum_operands(args: tuple, n_inputs: int) -> tuple:
    return tuple(args[1:]) if isinstance(args[0], str) else tuple(args[0::2][:n_inputs])


def _strategy(kwargs: dict) -> Any:
    optimize = kwargs.get("optimize", False)
    return "auto" if optimize is False or optimize is True or optimize is None else optimize


def _contraction(op: OpDef, spec: Any, operands: tuple, args: tuple, kwargs: dict,
                 analytical: int) -> Result:
    symmetry = EinsumSymmetry.of(operands)
    if symmetry is None:
        return analytical, None, None
    path = contraction_path(spec, _strategy(kwargs), symmetry)
    cost = min(path.cost, analytical)
    result_symmetry = output_symmetry(spec, symmetry)
    lost = [(g, f"operand {p} ({spec.inputs[p]}) is combined with operands not symmetric in "
                f"{''.join(spec.inputs[p][a] for a in g.axes)}")
            for p, g in lost_groups(spec, symmetry, result_symmetry)]

    def warn() -> None:
        rules.warn_lost(op.name, lost, "an operand")

    return (cost, _finisher(op.name, kwargs, result_symmetry, warn if lost else None),
            _tags(describe(result_symmetry, spec.output), analytical - cost, args, kwargs))


def _einsum(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    spec = parse_einsum(*args)
    return _contraction(op, spec, _einsum_operands(args, len(spec.inputs)), args, kwargs, analytical)


def _einsum_path(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    """``einsum_path`` costs its nominal 1; the plan it returns is redone with the symmetry."""
    planned = plan_einsum_path(args, kwargs)
    return analytical, (lambda _result: planned), {"symmetry": planned[1].output_symmetry}


def _letters(n: int, start: int = 0) -> str:
    """``n`` distinct einsum labels from opt_einsum's alphabet, starting at ``start``."""
    return "".join(get_symbol(start + i) for i in range(max(n, 0)))


_UPPER = 26  # get_symbol(26) is "A": free axes use capitals, core axes lower case


def matmul_family_subscripts(name: str, a: tuple[int, ...], b: tuple[int, ...],
                             kwargs: dict | None = None) -> str | None:
    """The einsum a matmul-family call computes, or None if it has none (0-d operands...)."""
    kwargs = kwargs or {}
    if not a or not b:
        return None
    if name == "matmul":
        m = "" if len(a) == 1 else "m"
        n = "" if len(b) == 1 else "n"
        batch = max(len(a), len(b)) - 2
        letters = _letters(batch, _UPPER)
        ba = letters[batch - max(len(a) - 2, 0):] if len(a) > 2 else ""
        bb = letters[batch - max(len(b) - 2, 0):] if len(b) > 2 else ""
        out_batch = letters if batch > 0 else ""
        return f"{ba}{m}k,{bb}k{n}->{out_batch}{m}{n}"
    if name == "dot":
        la = _letters(len(a) - 1, _UPPER)
        if len(b) == 1:
            return f"{la}a,a->{la}"
        lb = _letters(len(b) - 2, _UPPER + len(a))
        return f"{la}a,{lb}az->{la}{lb}z"
    if name == "inner":
        la, lb = _letters(len(a) - 1, _UPPER), _letters(len(b) - 1, _UPPER + len(a))
        return f"{la}a,{lb}a->{la}{lb}"
    if name == "tensordot":
        axes = kwargs.get("axes", 2)
        if isinstance(axes, (int, np.integer)):
            axes_a = list(range(len(a) - int(axes), len(a)))
            axes_b = list(range(int(axes)))
        else:
            axes_a = [axes[0]] if isinstance(axes[0], (int, np.integer)) else list(axes[0])
            axes_b = [axes[1]] if isinstance(axes[1], (int, np.integer)) else list(axes[1])
            axes_a = [normalize_axis(x, len(a)) for x in axes_a]
            axes_b = [normalize_axis(x, len(b)) for x in axes_b]
        la = list(_letters(len(a)))
        lb = list(_letters(len(b), len(a)))
        for x, y in zip(axes_a, axes_b):
            lb[y] = la[x]
        out = [c for i, c in enumerate(la) if i not in axes_a] + [c for i, c in enumerate(lb) if i not in axes_b]
        return f"{''.join(la)},{''.join(lb)}->{''.join(out)}"
    if name in ("vecdot", "matvec", "vecmat"):
        if kwargs.get("axis", -1) != -1 or kwargs.get("axes") is not None:
            return None
        core = {"vecdot": (1, 1), "matvec": (2, 1), "vecmat": (1, 2)}[name]
        batch = max(len(a) - core[0], len(b) - core[1], 0)
        letters = _letters(batch, _UPPER)
        ba = letters[batch - (len(a) - core[0]):]
        bb = letters[batch - (len(b) - core[1]):]
        inner = {"vecdot": ("i", "i", ""), "matvec": ("mn", "n", "m"), "vecmat": ("n", "nm", "m")}[name]
        return f"{ba}{inner[0]},{bb}{inner[1]}->{letters}{inner[2]}"
    return None


def _matmul_family(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    if len(args) < 2:
        return _default(op, args, kwargs, analytical)
    a, b = args[0], args[1]
    extra = dict(kwargs)
    if op.name == "tensordot" and len(args) > 2:
        extra["axes"] = args[2]
    subscripts = matmul_family_subscripts(op.name, shape_of(a), shape_of(b), extra)
    if subscripts is None:
        return _default(op, args, kwargs, analytical)
    spec = parse_einsum(subscripts, a, b)
    if index_product((*spec.inputs, spec.output), spec.size_dict) != analytical:
        return _default(op, args, kwargs, analytical)
    return _contraction(op, spec, (a, b), args, {k: v for k, v in kwargs.items() if k == "out"}, analytical)


# -- views (free operations) ----------------------------------------------------------------------


def _view(op: OpDef, args: tuple, kwargs: dict, analytical: int) -> Result:
    """Free ops: no cost to adjust; the result's symmetry follows the view rules."""
    x = args[0] if args else next(iter(kwargs.values()), None)
    shape = shape_of(x)
    declared = symmetry_of(x)
    name = op.name.removeprefix("ndarray.")

    def post(result: Any) -> Any:
        first = result[0] if type(result) in (tuple, list) else result
        if not _is_array(first) or not declared:
            return result
        new_shape = tuple(first.shape)
        lost: rules.Lost = []
        if name in ("transpose", "permute_dims", "matrix_transpose", "swapaxes", "moveaxis"):
            symmetry = rules.transpose_rule(declared, _permutation(name, len(shape), args, kwargs))
        elif name == "broadcast_to":
            symmetry = rules.broadcast_rule(shape, new_shape, declared)
        elif name in ("copy", "astype", "asanyarray"):
            symmetry = declared
        else:  # reshape, ravel, flatten, squeeze, expand_dims, atleast_*d
            order = kwargs.get("order", args[2] if name == "reshape" and len(args) > 2 else "C")
            if order == "A":
                order = "F" if getattr(x, "flags", None) is not None and x.flags.f_contiguous \
                    and not x.flags.c_contiguous else "C"
            symmetry, lost = rules.reshape_rule(shape, new_shape, declared, order)
        rules.warn_lost(op.name, lost, "its input")
        return attach(result, symmetry)

    return analytical, post, _tags(describe(declared), 0, args, kwargs)


def _permutation(name: str, ndim: int, args: tuple, kwargs: dict) -> list[int]:
    """Result axis j is input axis ``perm[j]``, for the transposing free ops."""
    perm = list(range(ndim))
    if name in ("transpose", "permute_dims"):
        axes = args[1] if len(args) > 1 else kwargs.get("axes")
        return [normalize_axis(a, ndim) for a in axes] if axes is not None else perm[::-1]
    if name == "matrix_transpose":
        perm[-1], perm[-2] = perm[-2], perm[-1]
        return perm
    if name == "swapaxes":
        a = normalize_axis(args[1] if len(args) > 1 else kwargs["axis1"], ndim)
        b = normalize_axis(args[2] if len(args) > 2 else kwargs["axis2"], ndim)
        perm[a], perm[b] = b, a
        return perm
    source = args[1] if len(args) > 1 else kwargs["source"]
    destination = args[2] if len(args) > 2 else kwargs["destination"]
    source = [source] if isinstance(source, (int, np.integer)) else list(source)
    destination = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    source = [normalize_axis(s, ndim) for s in source]
    destination = [normalize_axis(d, ndim) for d in destination]
    order = [a for a in range(ndim) if a not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return order


_VIEWS = ("transpose", "permute_dims", "matrix_transpose", "swapaxes", "moveaxis", "reshape",
          "squeeze", "expand_dims", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to",
          "copy", "asanyarray", "astype", "ravel", "ndarray.copy", "ndarray.astype",
          "ndarray.ravel", "ndarray.flatten")

_RULES: dict[str, Callable[[OpDef, tuple, dict, int], Result]] = {
    "einsum": _einsum,
    "einsum_path": _einsum_path,
    **{name: _matmul_family for name in
       ("matmul", "dot", "inner", "tensordot", "vecdot", "matvec", "vecmat")},
    **{name: _view for name in _VIEWS},
    "where": lambda op, args, kwargs, analytical: (
        _pointwise(op, args, kwargs, analytical) if len(args) == 3 else _default(op, args, kwargs, analytical)
    ),
}
