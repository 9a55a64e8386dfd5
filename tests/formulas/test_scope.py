"""What a check's callables read from the scope view v: layout, generators, helpers."""

from __future__ import annotations

import numpy as np
import pytest

from rlref.formulas.scope import BASE, Axis, ExprError, generators, get, in_layout


def axes(*sizes):
    return [Axis(f"a{k}", n, k, len(sizes)) for k, n in enumerate(sizes)]


def test_generators_lay_arrays_out_by_axis():
    b, t = axes(3, 5)
    draw = generators(np.random.default_rng(0))
    assert draw["normal"](0, 1, b, t).shape == (3, 5)
    assert draw["normal"](0, 1, t).shape == (1, 5)
    transposed = generators(np.random.default_rng(1))["normal"](0, 1, t, b)
    direct = generators(np.random.default_rng(1))["normal"](0, 1, 5, 3)
    np.testing.assert_array_equal(transposed, direct.T)  # dims given as (t, b), laid out (b, t)
    assert draw["normal"](0, 1, 4, 2).shape == (4, 2)  # plain sizes: a table
    assert np.ndim(draw["uniform"](0, 1)) == 0
    with pytest.raises(ExprError, match="mix of axes"):
        draw["normal"](0, 1, b, 4)


def test_prefix_mask_has_padding_and_a_full_row():
    for seed in range(20):
        mask = generators(np.random.default_rng(seed))["prefix_mask"](4, 6)
        lengths = mask.sum(-1)
        assert lengths.min() < 6 and lengths.max() == 6 and lengths.min() >= 1
        assert (np.diff(mask.astype(int), axis=-1) <= 0).all()  # a prefix


def test_simplex_rows_sum_to_one():
    p = generators(np.random.default_rng(0))["simplex"](3, 4)
    np.testing.assert_allclose(p.sum(-1), 1.0)
    assert (p > 0).all()


def test_reductions_keep_the_axis_and_count_constants():
    _, t = axes(3, 5)
    x = np.ones((3, 1))
    assert BASE["sum"](x, t).shape == (3, 1)
    np.testing.assert_array_equal(BASE["sum"](x, t), np.full((3, 1), 5.0))
    assert BASE["mean"](np.arange(15.0).reshape(3, 5), -1).shape == (3,)  # an int is numpy's


def test_get_and_layout():
    table = np.arange(4.0)
    np.testing.assert_array_equal(get(table, np.array([0, 3, 4, -1]), default=9.0), [0, 3, 9, 9])
    with pytest.raises(ExprError, match="out of range"):
        get(table, np.array([4]))
    layout = axes(3, 5)
    assert in_layout(np.zeros((3, 1)), layout) and in_layout(2.0, layout)
    assert not in_layout(np.zeros(5), layout) and not in_layout(np.zeros((3, 4)), layout)
