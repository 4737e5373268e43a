"""What every part of BASS stands on: configuration, the SparkSession, batch grains and batches,
the table registry, interface declarations, the plug-in registry and the errors users see."""
