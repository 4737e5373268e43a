"""The demo's checks of the profiles against the simulator's truth, on a hand-built profile and
truth folder."""
from pathlib import Path

from bass.devkit import planted
from tests.unit.frames import put


def test_multi_sim_check_counts_flagged_users_against_the_planted_shared_handsets(ctx):
    truth = Path(ctx.cfg.path("truth"), "churn_truth")
    truth.mkdir(parents=True)
    # m1, m2 share a handset (planted); m3 does not; m4 is planted but not in the profile
    (truth / "part-0.csv").write_text("msisdn,multi_sim\nm1,true\nm2,true\nm3,false\nm4,true\n", encoding="utf-8")
    put(ctx, "out.terminal_profile_m", [
        dict(msisdn="m1", multi_sim="Y", batch_month="2026-06"),   # found
        dict(msisdn="m2", multi_sim="N", batch_month="2026-06"),   # missed
        dict(msisdn="m3", multi_sim="Y", batch_month="2026-06"),   # false alarm
        dict(msisdn="m1", multi_sim="Y", batch_month="2026-05"),   # another month
    ])
    assert planted.multi_sim_check(ctx, "2026-06") == {"planted": 2, "flagged": 2, "precision": 0.5, "recall": 0.5}


def test_without_a_truth_folder_there_is_nothing_to_check(ctx):
    assert planted.multi_sim_check(ctx, "2026-06") is None


def test_bayes_optimal_scores_each_user_by_the_simulators_own_hazard(ctx):
    """Hazards by month from the start's (2026-01): for 2026-02 and one month the score is March's
    hazard, for three months 1 - the product of staying March to May; ranked against who left."""
    import pytest

    from bass.devkit.churn_truth import bayes_optimal
    from bass.devkit.simulator.generate import Simulation
    truth = Path(ctx.cfg.path("truth"))
    Simulation(4, "2026-01-01", 0, 6, 1, "571").save(str(truth))
    (truth / "churn_truth").mkdir(parents=True)
    (truth / "churn_truth" / "part-0.csv").write_text(
        "user_id,churn_date,hazard_by_month\n"
        "A,2026-03-10,0.1;0.1;0.9;0.1;0.1;0.1\n"      # likeliest in March, and left then
        "B,,0.1;0.1;0.5;0.1;0.1;0.1\n"
        "C,2026-05-02,0.1;0.1;0.2;0.1;0.8;0.1\n"      # left in May: within three months, not one
        "D,,0.1;0.1;0.05;0.05;0.05;0.1\n", encoding="utf-8")
    users = ctx.spark.createDataFrame([(u,) for u in "ABCD"], "user_id string")
    one = bayes_optimal(ctx, users, "2026-02", 1)
    assert one["rows"] == 4 and one["roc_auc"] == pytest.approx(1.0)       # A (0.9) is the only leaver, ranked first
    three = bayes_optimal(ctx, users, "2026-02", 3)
    # staying March-May: A 0.1*0.9*0.9, B 0.5*0.9*0.9, C 0.8*0.9*0.2, D 0.95^3: leavers A and C rank 1 and 2
    assert three["roc_auc"] == pytest.approx(1.0)
    assert bayes_optimal(ctx, users.where("user_id != 'A'"), "2026-02", 1)["rows"] == 3
