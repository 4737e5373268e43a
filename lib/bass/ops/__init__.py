"""Operating BASS under other systems: the Airflow DAGs derived from the step graph."""
