"""The churn family: time-windowed training (model), the candidate search (search, candidates),
scoring with reasons (scoring, explain) and checks on any labelled table (evaluate_csv,
feature_effect)."""
