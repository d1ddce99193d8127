"""Sphinx extensions of the handbook, one feature each (listed in conf.py)."""
