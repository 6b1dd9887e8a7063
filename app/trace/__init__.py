"""The tracer's side in Python: the run's trace stream, decoded, recorded, replayed and attributed."""

DEFAULT_DETAIL_LIMIT = 100_000  # records in full detail before the tracer switches to counts (here, so the CLI's
# argument parser can name it without importing the schema and the checker's phase names)
