"""The one promotion rule: beat the family's naive baseline, then the champion."""
from bass.ml.tracking import promotes


def test_a_model_no_better_than_its_baseline_is_never_promoted():
    # value: RMSE, lower is better; 37.52 against the naive 35.25 stays out, even with no champion
    assert not promotes(37.52, None, 0.001, higher_is_better=False, relative=True, baseline=35.25)
    assert promotes(30.0, None, 0.001, higher_is_better=False, relative=True, baseline=35.25)
    # uplift: a Qini coefficient of 0 is a random order; ties with the champion win, not with random
    assert not promotes(-0.016, None, 0.001, ties_win=True, baseline=0.0)
    assert not promotes(0.0, None, 0.001, ties_win=True, baseline=0.0)
    assert promotes(0.02, 0.0205, 0.001, ties_win=True, baseline=0.0)


def test_then_the_champion_by_more_than_the_margin():
    assert promotes(0.80, None, 0.001)
    assert not promotes(0.8005, 0.80, 0.001) and promotes(0.802, 0.80, 0.001)
    assert not promotes(30.0, 30.01, 0.001, higher_is_better=False, relative=True)      # within 0.1 %
    assert promotes(29.0, 30.0, 0.001, higher_is_better=False, relative=True, baseline=35.0)
    assert not promotes(29.0, 30.0, 0.001, higher_is_better=False, relative=True, baseline=28.0)
