"""Reports for people: the business report, the churn-model and campaign reports, the run
dashboard, the data dictionary, and the HTML/SVG helpers they share (html)."""
