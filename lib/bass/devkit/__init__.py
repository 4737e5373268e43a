"""The development kit: the province simulator, the demo and the closed-loop demo, the benchmark,
the checks against planted truth and the self-checks. Production code never imports it (a unit
test enforces this); only the command line and the devkit itself do."""
