"""Steps: the units the batches run. Each kind of step is a plug-in class (steps.base.Step)
registered under a name; the step list is built from the declarations (inbound interfaces,
quality stages, tables) and dispatch only ever asks a step, never looks at its name."""
from bass.orchestration.steps.base import STEP_KINDS, Step, all_steps, register, step  # noqa: F401  (the package API)
