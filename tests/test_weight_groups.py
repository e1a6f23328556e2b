"""The weight-group table: well formed, about registered counted ops, one group per op."""

from __future__ import annotations

import pytest

from flopscope.cost.weight_groups import GROUPS, WeightGroup, group_of, groups, register_group
from flopscope.registry import REGISTRY


def test_every_member_is_a_counted_registry_op_in_exactly_one_group():
    seen: dict[str, str] = {}
    for group in groups():
        assert group.reference in group.members
        for member in group.members:
            assert member in REGISTRY, (group.name, member)
            assert REGISTRY[member].category.counted, (group.name, member)
            assert member not in seen, (member, seen.get(member), group.name)
            seen[member] = group.name
            assert group_of(member) is group


def test_the_families_the_spec_names_are_grouped():
    contraction = set(group_of("matmul").members)
    assert {"matmul", "dot", "vdot", "inner", "tensordot", "einsum", "linalg.multi_dot",
            "matvec", "vecmat", "vecdot"} <= contraction
    normal = set(group_of("random.Generator.standard_normal").members)
    assert {"random.randn", "random.standard_normal", "random.normal",
            "random.RandomState.randn", "random.Generator.normal"} <= normal
    assert group_of("amax") is group_of("max")
    assert group_of("around") is group_of("round")
    assert group_of("ndarray.sort") is group_of("sort")
    assert group_of("exp") is None  # a group of its own


def test_every_distribution_offered_by_generator_and_the_legacy_api_is_grouped():
    legacy = {n.removeprefix("random.") for n in REGISTRY
              if n.startswith("random.") and n.count(".") == 1}
    generator = {n.removeprefix("random.Generator.") for n in REGISTRY
                 if n.startswith("random.Generator.")}
    for name in sorted(legacy & generator):
        if not REGISTRY[f"random.{name}"].category.counted:
            continue
        group = group_of(f"random.Generator.{name}")
        assert group is not None and f"random.{name}" in group.members, name


def test_group_members_share_the_analytical_formula_of_random_draws():
    """Random members of one group take the same cost rule output for the same draw."""
    for group in groups():
        if not group.name.startswith("random."):
            continue
        # rand / randn take the dimensions as arguments: d0·d1·… is their numel(output)
        formulas = {REGISTRY[m].formula.replace("d0·d1·…", "numel(output)")
                    for m in group.members}
        assert len(formulas) == 1, (group.name, formulas)


def test_register_group_refuses_overlaps_and_bad_groups():
    with pytest.raises(ValueError, match="already grouped"):
        register_group(WeightGroup("again", "dot", ("dot", "exp"), ""))
    with pytest.raises(ValueError, match="already exists"):
        register_group(WeightGroup("contraction", "exp", ("exp",), ""))
    with pytest.raises(ValueError, match="not one of its members"):
        WeightGroup("x", "a", ("b",), "")
    with pytest.raises(ValueError, match="twice"):
        WeightGroup("x", "a", ("a", "a"), "")
    assert "again" not in GROUPS and group_of("exp") is None
