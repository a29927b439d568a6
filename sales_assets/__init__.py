"""sales_assets: a monthly sales analytics pipeline as Dagster assets computed with PySpark."""
