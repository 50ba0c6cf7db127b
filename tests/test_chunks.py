"""Monte Carlo in chunks: bounded memory, and results that do not depend on the chunking.

The block and storage sizes are made small here so that several blocks and chunks, and
a partly stored projection, are exercised in a second or two.
"""

from __future__ import annotations

import numpy as np
import pytest

from costmodel.model import projection as proj

DRAWS = 2_500


@pytest.fixture()
def small_blocks(monkeypatch):
    monkeypatch.setattr(proj, "SAMPLE_BLOCK", 1_000)
    monkeypatch.setattr(proj, "STORED_DRAWS", 1_500)


def run(params, **kwargs):
    return proj.project(params, draws=DRAWS, seed=5, runs=300, **kwargs)


def test_stores_the_first_draws_and_counts_them_all(params, small_blocks):
    p = run(params)
    assert p.stored == 1_500 and len(p.draws_table) == 1_500
    assert p.totals is not None and p.totals.draws == DRAWS
    assert len(p.appraisal.npv) == 1_500 and len(p.families_started) == 1_500


def test_means_are_exact_over_every_draw(params, small_blocks, monkeypatch):
    partial = run(params)
    monkeypatch.setattr(proj, "STORED_DRAWS", 10**9)
    full = run(params)  # the same draws, every one stored
    assert full.stored == DRAWS
    # the stored draws are the first ones of the full run
    assert np.array_equal(partial.appraisal.npv, full.appraisal.npv[:1_500])
    npv = full.appraisal.npv
    assert partial.summary().loc["npv", "mean"] == pytest.approx(npv.mean(), rel=1e-12)
    assert partial.p_npv_positive == pytest.approx((npv > 0).mean())
    bcr = full.appraisal.bcr
    assert partial.summary().loc["bcr", "mean"] == pytest.approx(
        bcr[np.isfinite(bcr)].mean(), rel=1e-12
    )
    # yearly means and who saves come from every draw too
    assert partial.by_year()["savings_net"].to_numpy() == pytest.approx(
        full.appraisal.net.sum(axis=2).mean(axis=0), rel=1e-12
    )
    assert partial.by_agency()["pv_savings_net"].to_numpy() == pytest.approx(
        full.appraisal.pv_by_agency().mean(axis=0), rel=1e-12
    )
    # percentiles come from the stored draws
    assert partial.summary().loc["npv", "p5"] == pytest.approx(
        np.percentile(partial.appraisal.npv, 5)
    )


def test_results_do_not_depend_on_the_chunk_size(params, small_blocks):
    big = run(params)
    small = run(params, chunk_bytes=1)  # the smallest chunks allowed (1,000 draws)
    assert np.array_equal(big.appraisal.npv, small.appraisal.npv)
    assert big.draws_table.equals(small.draws_table)
    for k in ("npv", "bcr", "pv_costs", "families_started"):
        assert small.summary().loc[k, "mean"] == pytest.approx(
            big.summary().loc[k, "mean"], rel=1e-12
        )
    assert small.p_npv_positive == big.p_npv_positive


def test_a_single_block_keeps_the_seeded_numbers(params):
    """Up to one block of draws, a projection draws exactly what it always drew."""
    one = proj.project(params, draws=400, seed=9, runs=200)
    split = proj.project(params, draws=400, seed=9, runs=200, chunk_bytes=1)
    assert np.array_equal(one.appraisal.npv, split.appraisal.npv)
    rng = np.random.default_rng(9)
    rng.integers(2**31)  # the team simulation's seed comes first
    from costmodel.model.savings import savings_correlations, savings_paths
    from costmodel.params.sampling import sample

    table = sample(params, 400, rng, savings_paths(params), savings_correlations(params))
    assert np.array_equal(table.to_numpy(), one.draws_table[list(table.columns)].to_numpy())


def test_draws_in_later_blocks_come_from_their_own_generator(params, small_blocks):
    p = run(params)
    table = p.draws_table
    # draws 1,000-1,499 are block 1's first draws: not a continuation of block 0's stream
    effect = "savings.outcomes.child_enters_care.prevalence"
    assert not np.array_equal(table[effect].to_numpy()[:500], table[effect].to_numpy()[1000:1500])


def test_chunk_progress_counts_every_draw(params, small_blocks):
    seen: list[int] = []
    run(params, chunk_bytes=1, on_chunk=seen.append)
    assert sum(seen) == DRAWS and len(seen) >= 3
