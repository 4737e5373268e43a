"""Mining models on Spark MLlib: feature assembly, the churn trainer and its metrics."""
