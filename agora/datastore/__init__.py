"""Tables: reading uploaded files into immutable DuckDB and Parquet files, and querying them.

The package knows files and SQL, not datasets: the catalog decides what to ingest and who may
see it, and keeps the resulting file names and column descriptions in its own models.
"""
