"""The in-memory nested-set numbering that the loader and check_orgtree share."""

from hypothesis import given
from hypothesis import strategies as st

from orgtree.numbering import find_cycle, number_forest


@st.composite
def forests(draw):
    size = draw(st.integers(min_value=1, max_value=200))
    parent_of = {0: None}
    for node in range(1, size):
        parent_of[node] = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=node - 1)))
    return parent_of


@given(forests())
def test_numbers_form_a_valid_nested_set(parent_of):
    numbers, roots, unreachable = number_forest(parent_of)
    assert not unreachable
    assert set(numbers) == set(parent_of)
    assert roots == [n for n, p in parent_of.items() if p is None]
    size = {}
    for node in reversed(sorted(parent_of)):
        size[node] = 1 + size.get(node, 0)
        if parent_of[node] is not None:
            size[parent_of[node]] = size.get(parent_of[node], 0) + size[node]
    for node, parent in parent_of.items():
        lft, rght, level, root = numbers[node]
        assert rght - lft + 1 == 2 * size[node]
        if parent is None:
            assert (lft, level, root) == (1, 0, node)
        else:
            plft, prght, plevel, proot = numbers[parent]
            assert plft < lft < rght < prght
            assert level == plevel + 1 and root == proot
    per_tree = {}
    for lft, rght, _level, root in numbers.values():
        per_tree.setdefault(root, []).extend([lft, rght])
    for root, values in per_tree.items():
        assert sorted(values) == list(range(1, 2 * size[root] + 1))


def test_sibling_order_follows_sort_key():
    parent_of = {1: None, 2: 1, 3: 1, 4: 1}
    numbers, _, _ = number_forest(parent_of, {1: (0,), 2: (3,), 3: (1,), 4: (2,)})
    assert [n for n in sorted((2, 3, 4), key=lambda n: numbers[n][0])] == [3, 4, 2]


def test_cycles_and_missing_parents_are_unreachable():
    numbers, roots, unreachable = number_forest({1: None, 2: 3, 3: 2, 4: 99})
    assert roots == [1] and sorted(unreachable) == [2, 3, 4]


def test_find_cycle():
    assert find_cycle({"a": None, "b": "a", "c": "b"}) is None
    cycle = find_cycle({"a": None, "x": "y", "y": "z", "z": "x"})
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"x", "y", "z"}
    assert find_cycle({"s": "s"}) == ["s", "s"]


def test_deep_chain_needs_no_recursion():
    depth = 50_000
    parent_of = {0: None, **{n: n - 1 for n in range(1, depth)}}
    numbers, _, _ = number_forest(parent_of)
    assert numbers[depth - 1] == (depth, depth + 1, depth - 1, 0)
