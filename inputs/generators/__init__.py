"""Generators of the sample input folders, one module per program (see inputs/generate.py)."""
