"""The warehouse's storage: how tables are written (delta_io), SQL files run (sql_runner), the
bookkeeping tables meta.* (bookkeeping), data-quality checks (quality) and maintenance (maintain)."""
