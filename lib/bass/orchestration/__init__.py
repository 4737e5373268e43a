"""Running batches: the step kinds (steps), the step graph derived from what steps read (graph),
one step for one batch (jobs) and a pipeline's steps in order with skip and resume (pipeline)."""
