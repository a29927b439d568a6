"""Pure transforms: DataFrame in, DataFrame out. No Dagster and no storage I/O here."""
