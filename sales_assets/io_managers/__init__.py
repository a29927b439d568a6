"""IO managers: the Parquet lake and the warehouse tables."""
