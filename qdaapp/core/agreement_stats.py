"""The formulas of intercoder agreement, on counts of units.

:mod:`.agreement` reduces a project's codings to counts: of the units (characters,
sentences or paragraphs) a node was applied to by exactly ``k`` of ``m`` coders, and
of those only one coder applied it to. Every figure here is exact arithmetic on those
counts, so no unit is ever looked at one by one:

* percent agreement: the share of units on which every coder made the same decision
  (all coded the unit at the node, or none did);
* Cohen's kappa (two coders): ``(p_o - p_e) / (1 - p_e)`` from the 2 x 2 table, with
  ``p_e`` from each coder's own share of coded units (Cohen 1960);
* Krippendorff's alpha for nominal data: ``1 - D_o / D_e`` from the coincidence matrix
  (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").

:func:`nominal_alpha` is the general form of alpha for any values and missing data, one
column per unit. The binary form :func:`binary_alpha` is what the agreement tables use:
there every coder gives every unit a value (coded or not), so units that the same
number of coders coded add the same amount to the coincidence matrix and are counted,
not listed. Both are checked against Krippendorff's worked example and against the
``krippendorff`` package in the tests.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def percent(units: int, agreed: int) -> float:
    """Percent of ``units`` agreed on; 100 when there is no unit (nothing to disagree on)."""
    return 100.0 if units == 0 else 100.0 * agreed / units


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    """Cohen's kappa of the 2 x 2 table (coded by both, only by A, only by B, by neither).

    None when it is undefined: chance agreement is total (both coders coded every unit,
    or neither coded any, or there is no unit)."""
    n = both + only_a + only_b + neither
    # p_o = (both + neither) / n, p_e = chance / n^2; kappa = (n * agreed - chance) / (n^2 - chance)
    chance = (both + only_a) * (both + only_b) + (only_b + neither) * (only_a + neither)
    denominator = n * n - chance
    if denominator == 0:
        return None
    return (n * (both + neither) - chance) / denominator


def binary_alpha(by_k: Sequence[int], coders: int) -> float | None:
    """Krippendorff's alpha (nominal) of coded / not coded, every coder deciding every unit.

    ``by_k[k]`` is the number of units coded by exactly ``k`` of the ``coders`` (k = 0..coders).
    A unit coded by ``k`` coders adds ``k (m - k) / (m - 1)`` to each off-diagonal cell of
    the coincidence matrix; ``n_1`` counts the "coded" values, ``n_0`` the others, and
    ``alpha = 1 - (n - 1) o_01 / (n_0 n_1)``. None when only one value occurs (no variation:
    alpha is undefined) or there is no unit."""
    m = coders
    if m < 2 or len(by_k) != m + 1:
        raise ValueError("by_k needs one count for each k = 0..coders, and two coders or more")
    n = m * sum(by_k)
    n1 = sum(k * u for k, u in enumerate(by_k))
    n0 = n - n1
    if n0 == 0 or n1 == 0:
        return None
    disagreeing_pairs = sum(u * k * (m - k) for k, u in enumerate(by_k))  # (m - 1) * o_01
    return 1.0 - (n - 1) * disagreeing_pairs / ((m - 1) * n0 * n1)


def nominal_alpha(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data; ``units`` has one sequence per unit holding each
    coder's value, None where a coder gave none (missing data).

    Units with fewer than two values cannot be paired and are left out, as Krippendorff
    prescribes. None when alpha is undefined (fewer than two pairable values, or only one
    value in all of them)."""
    coincidences: dict[tuple[Hashable, Hashable], float] = {}
    for unit in units:
        values = [v for v in unit if v is not None]
        pairable = len(values)
        if pairable < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidences[(c, k)] = coincidences.get((c, k), 0.0) + 1.0 / (pairable - 1)
    totals: dict[Hashable, float] = {}
    for (c, _k), o in coincidences.items():
        totals[c] = totals.get(c, 0.0) + o
    n = sum(totals.values())
    observed = sum(o for (c, k), o in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n - 1) if n > 1 else 0.0
    if expected == 0:
        return None
    return 1.0 - observed / expected
