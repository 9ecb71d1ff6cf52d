"""Measures: the figures inspectors ask for, computed over duties and shares."""
