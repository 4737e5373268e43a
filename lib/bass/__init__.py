"""BASS: business-analysis warehouse for mobile operators.

The subpackages follow the data: core (configuration, session, grains, the table registry,
interfaces, plug-ins) → boss (BOSS's files in and out) → warehouse (writes, SQL, bookkeeping,
quality) → orchestration (step kinds, the derived graph, pipelines) → marts and ml (what the SQL
alone does not build) → reports and serving (for people and BOSS) → ops (Airflow); cli is the
command line and devkit the simulator, demos and self-checks, which production code never imports.
"""
