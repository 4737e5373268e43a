"""Steps: the units the batches run. Each kind of step is a plug-in class (bass.steps.base.Step)
registered under a name; the step list is built from the declarations (inbound interfaces,
quality stages, tables) and dispatch only ever asks a step, never looks at its name."""
from bass.steps.base import KINDS, Step, all_steps, register, step  # noqa: F401  (the package API)
