"""Demo data in the exact Kaggle "Home Credit Default Risk" schema, drawn from a profile
measured on real rows (see measure.py); importing this package does no work."""

from training.demodata.generate import generate_tables, write_tables

__all__ = ["generate_tables", "write_tables"]
