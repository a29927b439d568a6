"""Thin Dagster assets, one module per stage: they wire transforms to storage."""
