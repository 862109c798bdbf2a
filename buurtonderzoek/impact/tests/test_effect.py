"""The difference-in-differences of effect.py, cross-checked against statsmodels.

Generated per-respondent data with a known effect is stored the way the monitor stores it (moments per
buurt in ResultCell, populations unknown), the effect is measured from those aggregates, and the same
data is fitted with OLS `y ~ treated * after` (HC2 standard errors, normal interval): the interaction
coefficient, its standard error and its 95% interval must agree.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
import statsmodels.formula.api as smf
from django.utils import timezone

from buurtonderzoek.impact.effect import measure
from buurtonderzoek.impact.tests.conftest import ImpactWorld, StoreWave, agree_all, propose

pytestmark = pytest.mark.django_db


def _generate(
    iw: ImpactWorld, store_wave: StoreWave, *, key: str, effect: float, n: int, proportion: bool, seed: int
) -> pd.DataFrame:
    """Two closed waves around the action's period; returns every respondent as a row for statsmodels."""
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    treated = {b.pk for b in iw.buurten[:2]}
    rows = []
    waves = {}
    for after, (name, start) in enumerate((("Voor", today - timedelta(days=260)), ("Na", today - timedelta(days=40)))):
        per_buurt = {}
        for index, buurt in enumerate(iw.buurten):
            base = (0.30 + 0.03 * index) if proportion else (6.5 + 0.2 * index)
            trend = 0.02 * after if proportion else 0.3 * after
            shift = effect * after * (buurt.pk in treated)
            mean = base + trend + shift
            values = (rng.random(n) < mean).astype(float) if proportion else rng.normal(mean, 1.5, n)
            per_buurt[buurt.pk] = {key: list(values)}
            rows += [{"y": v, "treated": int(buurt.pk in treated), "after": after} for v in values]
        waves[name] = store_wave(iw.world.gemeente.pk, name, start, start + timedelta(days=20), per_buurt)
    return pd.DataFrame(rows)


def _ols(frame: pd.DataFrame) -> tuple[float, float, float, float]:
    fit = smf.ols("y ~ treated * after", data=frame).fit(cov_type="HC2")
    low, high = fit.conf_int().loc["treated:after"]
    return float(fit.params["treated:after"]), float(fit.bse["treated:after"]), float(low), float(high)


def test_a_known_effect_on_a_mean_matches_ols_and_is_called_an_effect(iw: ImpactWorld, store_wave: StoreWave) -> None:
    frame = _generate(iw, store_wave, key="mark_safety", effect=0.8, n=120, proportion=False, seed=1)
    action = propose(
        iw,
        key="mark_safety",
        size=0.5,
        effects=[{"kind": "indicator", "key": "mark_safety", "direction": "up", "size": 0.5}],
    )
    result = measure(action, with_process=False)
    (e,) = result.indicators
    did, se, low, high = _ols(frame)
    assert e.did == pytest.approx(did, abs=1e-9)
    assert e.se == pytest.approx(se, rel=1e-9)
    assert e.low == pytest.approx(low, rel=1e-6)
    assert e.high == pytest.approx(high, rel=1e-6)
    assert low > 0.4 and e.verdict == "expected"
    assert e.words.startswith("Aantoonbaar effect in de verwachte richting")
    assert not e.underpowered and e.power_warning == ""
    assert (result.treated_buurten, result.comparison_buurten) == (2, 4)


def test_a_proportion_matches_ols_and_no_effect_is_called_no_demonstrable_effect(
    iw: ImpactWorld, store_wave: StoreWave
) -> None:
    frame = _generate(iw, store_wave, key="unsafe_buurt", effect=0.0, n=400, proportion=True, seed=7)
    action = propose(iw, size=5.0)
    (e,) = measure(action, with_process=False).indicators
    did, se, low, high = _ols(frame)
    # In percentage points. Wilson's standard error divides by n where HC2 divides by n - 1: a hair apart.
    assert e.did == pytest.approx(did * 100, abs=1e-9)
    assert e.se == pytest.approx(se * 100, rel=2e-3)
    assert e.low == pytest.approx(low * 100, rel=5e-3, abs=0.02)
    assert e.high == pytest.approx(high * 100, rel=5e-3, abs=0.02)
    assert e.low is not None and e.high is not None and e.low < 0 < e.high
    assert e.verdict == "none"
    assert e.words.startswith("Geen aantoonbaar effect")


def test_samples_too_small_to_show_the_expected_effect_get_a_warning_with_the_sample_needed(
    iw: ImpactWorld, store_wave: StoreWave
) -> None:
    frame = _generate(iw, store_wave, key="mark_safety", effect=0.3, n=15, proportion=False, seed=3)
    action = propose(iw, effects=[{"kind": "indicator", "key": "mark_safety", "direction": "up", "size": 0.3}])
    (e,) = measure(action, with_process=False).indicators
    did, se, _low, _high = _ols(frame)
    assert e.did == pytest.approx(did, abs=1e-9) and e.se == pytest.approx(se, rel=1e-9)
    assert e.underpowered
    assert e.detectable is not None and e.detectable > 0.3
    # n = 4 s² (z.975 + z.8)² / δ² with s² ≈ 1.5², δ = 0.3: about 785 per group and wave.
    assert e.needed_per_group is not None and 500 < e.needed_per_group < 1100
    assert "te klein" in e.power_warning and str(e.needed_per_group) in e.power_warning


def test_a_group_with_fewer_than_ten_respondents_is_suppressed(iw: ImpactWorld, store_wave: StoreWave) -> None:
    today = timezone.localdate()
    few = {b.pk: {"unsafe_buurt": [1.0] * (4 if i < 2 else 50)} for i, b in enumerate(iw.buurten)}
    store_wave(iw.world.gemeente.pk, "Voor", today - timedelta(days=260), today - timedelta(days=240), few)
    store_wave(iw.world.gemeente.pk, "Na", today - timedelta(days=40), today - timedelta(days=20), few)
    (e,) = measure(propose(iw), with_process=False).indicators
    assert e.suppressed and e.did is None and e.treated_before.value is None
    assert "minder dan 10" in e.words


def test_without_a_closed_follow_up_wave_nothing_is_estimated_yet(iw: ImpactWorld, store_wave: StoreWave) -> None:
    today = timezone.localdate()
    values = {b.pk: {"unsafe_buurt": [0.0, 1.0] * 20} for b in iw.buurten}
    store_wave(iw.world.gemeente.pk, "Voor", today - timedelta(days=260), today - timedelta(days=240), values)
    # Still running: its fieldwork ends in the future, so it gives no estimate (the monitor's release rule).
    store_wave(iw.world.gemeente.pk, "Nu", today - timedelta(days=5), today + timedelta(days=20), values)
    result = measure(propose(iw), with_process=False)
    assert result.baseline is not None and result.baseline.name == "Voor"
    assert result.follow_up is None and result.indicators == []
    assert "zodra de eerste meetronde" in result.status_words


def test_evaluating_stores_the_effect_as_it_was(
    iw: ImpactWorld, store_wave: StoreWave, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buurtonderzoek.impact import actions, effect

    monkeypatch.setattr(effect, "process_figures", lambda *a, **k: [])
    _generate(iw, store_wave, key="unsafe_buurt", effect=-0.1, n=200, proportion=True, seed=5)
    action = propose(iw)
    agree_all(iw, action)
    actions.transition_action(action, to="loopt", by=iw.world.petra)
    actions.transition_action(action, to="geevalueerd", by=iw.world.alice)
    action.refresh_from_db()
    stored = action.evaluation["indicators"][0]
    assert stored["key"] == "unsafe_buurt" and stored["verdict"] in {"expected", "none"}
    assert stored["words"] and action.evaluation["follow_up"]["name"] == "Na"


def test_matched_comparison_uses_the_buurten_nearest_on_the_baseline(iw: ImpactWorld, store_wave: StoreWave) -> None:
    today = timezone.localdate()
    action_buurt, similar, different = iw.buurten[0], iw.buurten[1:4], iw.buurten[4:]

    def share(p: float, n: int = 200) -> dict[str, list[float]]:
        return {"unsafe_buurt": [1.0] * round(p * n) + [0.0] * (n - round(p * n))}

    before = {
        action_buurt.pk: share(0.40),
        **{b.pk: share(0.40) for b in similar},
        **{b.pk: share(0.10) for b in different},
    }
    after = {
        action_buurt.pk: share(0.20),
        **{b.pk: share(0.36) for b in similar},
        **{b.pk: share(0.30) for b in different},
    }
    store_wave(iw.world.gemeente.pk, "Voor", today - timedelta(days=260), today - timedelta(days=240), before)
    store_wave(iw.world.gemeente.pk, "Na", today - timedelta(days=40), today - timedelta(days=20), after)
    everyone = propose(iw, buurten=[action_buurt])
    matched = propose(iw, buurten=[action_buurt], comparison="matched", title="Gematcht")
    (all_others,) = measure(everyone, with_process=False).indicators
    (nearest,) = measure(matched, with_process=False).indicators
    assert all_others.comparison_buurten == 5 and nearest.comparison_buurten == 3
    # Against the similar buurten only: (20 - 40) - (36 - 40) = -16 points. Against all five the
    # dissimilar buurten's rise from 10% to 30% counts too: (20 - 40) - (3 * -4 + 2 * 20) / 5 = -25.6.
    assert nearest.did == pytest.approx(-16.0, abs=1e-9)
    assert all_others.did == pytest.approx(-25.6, abs=1e-9)
