"""The BOSS file interface: delivery naming, .verf integrity files, reading and writing."""
