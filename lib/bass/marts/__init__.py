"""Marts whose logic is more than one SQL file: the relationship network, campaigns with control
groups, and tariffs (catalogue, what-if, survey)."""
