"""Serving the warehouse: `bass sql` (query), the analysts' SQL server (sql_server, accounts) and
the online query for BOSS (api)."""
