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
