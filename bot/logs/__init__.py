"""Reading mail logs into events and summarizing them by code."""
