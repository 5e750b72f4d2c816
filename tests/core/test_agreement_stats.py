"""The agreement formulas against worked examples from the literature and the krippendorff package."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdaapp.core.agreement_stats import binary_alpha, cohen_kappa, nominal_alpha, percent


# Cohen's kappa: the 2 x 2 examples of the kappa literature (as reproduced in Wikipedia's
# "Cohen's kappa"): 50 grant proposals read by two readers, and the two tables with the same
# 60 % agreement whose kappas differ because the readers' marginals differ.
@pytest.mark.parametrize("both, only_a, only_b, neither, expected", [
    (20, 5, 10, 15, 0.4),  # p_o = 0.7, p_e = 0.5
    (45, 15, 25, 15, 0.1304),  # p_o = 0.6, p_e = 0.54
    (25, 35, 5, 35, 0.2593),  # p_o = 0.6, p_e = 0.46
])
def test_cohen_kappa_of_worked_examples(both: int, only_a: int, only_b: int, neither: int, expected: float) -> None:
    assert cohen_kappa(both, only_a, only_b, neither) == pytest.approx(expected, abs=5e-5)


def test_cohen_kappa_edge_cases() -> None:
    assert cohen_kappa(3, 0, 0, 7) == 1.0  # perfect agreement
    assert cohen_kappa(0, 0, 0, 10) is None  # nobody coded anything: chance agreement is total
    assert cohen_kappa(10, 0, 0, 0) is None  # both coded everything
    assert cohen_kappa(0, 0, 0, 0) is None  # no unit
    assert cohen_kappa(0, 4, 0, 6) == 0.0  # one coder coded nothing: no better than chance
    assert cohen_kappa(0, 5, 5, 0) == -1.0  # complete, systematic disagreement


def test_bands_of_kappa_as_nvivo_reports_them() -> None:
    from qdaapp.core.agreement import band

    found = [band(v) for v in (-0.2, 0.39, 0.40, 0.59, 0.60, 0.79, 0.80, 1.0)]
    assert [b.name for b in found if b] == ["poor", "poor", "moderate", "moderate", "substantial", "substantial",
                                            "almost-perfect", "almost-perfect"]
    assert band(None) is None


def test_percent() -> None:
    assert percent(50, 35) == 70.0
    assert percent(0, 0) == 100.0


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", C: nominal data, four
# observers, twelve units, missing values (None); alpha = 0.743.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# A: binary data, two observers, no missing data; alpha = 0.095.
KRIPPENDORFF_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]


def _units(by_coder: list[list]) -> list[list]:
    return [list(unit) for unit in zip(*by_coder, strict=True)]


def test_nominal_alpha_of_krippendorffs_worked_examples() -> None:
    assert round(nominal_alpha(_units(KRIPPENDORFF_C)), 3) == 0.743
    assert round(nominal_alpha(_units(KRIPPENDORFF_A)), 3) == 0.095


def test_binary_alpha_of_krippendorffs_binary_example() -> None:
    # units coded "1" by both: 1 (the second); by one of them: 4; by neither: 5
    assert round(binary_alpha([5, 4, 1], 2), 3) == 0.095


def test_alpha_edge_cases() -> None:
    assert binary_alpha([10, 0, 0], 2) is None  # only one value: no variation, alpha undefined
    assert binary_alpha([0, 0, 10], 2) is None
    assert binary_alpha([0, 0, 0], 2) is None
    assert binary_alpha([7, 0, 3], 2) == 1.0
    assert nominal_alpha([[1, 1], [2, 2], [1, None]]) == 1.0
    assert nominal_alpha([[1, None], [None, 2]]) is None  # no unit has two values
    with pytest.raises(ValueError):
        binary_alpha([1, 2], 2)


def _matrix(data: list[list[int]]) -> np.ndarray:
    return np.array(data, dtype=float)


@given(st.integers(2, 4).flatmap(
    lambda m: st.lists(st.lists(st.integers(0, 1), min_size=m, max_size=m), min_size=2, max_size=30)))
def test_binary_alpha_agrees_with_the_krippendorff_package_and_the_general_form(units: list[list[int]]) -> None:
    m = len(units[0])
    by_k = [0] * (m + 1)
    for unit in units:
        by_k[sum(unit)] += 1
    ours = binary_alpha(by_k, m)
    if ours is None:
        assert nominal_alpha(units) is None
        assert len({v for unit in units for v in unit}) == 1
    else:
        assert ours == pytest.approx(nominal_alpha(units))
        reference = krippendorff.alpha(reliability_data=_matrix(units).T, level_of_measurement="nominal",
                                       value_domain=[0, 1])
        assert ours == pytest.approx(reference)


@given(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=3, max_size=3), min_size=2, max_size=20))
def test_nominal_alpha_with_missing_values_agrees_with_the_krippendorff_package(units: list[list]) -> None:
    ours = nominal_alpha(units)
    values = {v for unit in units if sum(v is not None for v in unit) >= 2 for v in unit if v is not None}
    if ours is None:
        assert len(values) <= 1
    else:
        data = np.array([[math.nan if v is None else v for v in unit] for unit in units], dtype=float).T
        assert ours == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_kappa_matches_its_definition(pairs: list[tuple[bool, bool]]) -> None:
    n = len(pairs)
    both = sum(a and b for a, b in pairs)
    only_a = sum(a and not b for a, b in pairs)
    only_b = sum(b and not a for a, b in pairs)
    neither = n - both - only_a - only_b
    p_o = (both + neither) / n
    p_a, p_b = (both + only_a) / n, (both + only_b) / n
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    kappa = cohen_kappa(both, only_a, only_b, neither)
    assert kappa == (None if p_e == 1 else pytest.approx((p_o - p_e) / (1 - p_e)))
