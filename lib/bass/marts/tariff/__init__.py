"""Tariffs (资费): the catalogue with proposed plans, re-rating, plan fit, what-if and the survey."""
