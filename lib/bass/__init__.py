"""BASS: business-analysis warehouse for mobile operators."""
