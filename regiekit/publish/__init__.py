"""Statistics and disclosure control: comparisons, trends, verdicts and changes, then the protected tables every
report publishes."""
