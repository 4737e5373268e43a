"""What the demos print about a pipeline's steps."""
from bass.core.registry import load_registry
from bass.devkit.printout import delivered


def test_the_demo_lists_the_delivered_profiles_not_the_pipelines_checks():
    status = {"out.sp_eval_m": "SUCCESS", "out.hq_kpi_m": "SUCCESS", "dq.keys_profiles": "SUCCESS"}
    assert delivered(status, load_registry()) == ["out.sp_eval_m", "out.hq_kpi_m"]
