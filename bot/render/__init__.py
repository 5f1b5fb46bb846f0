"""Turning explanations and summaries into text, JSON and Block Kit."""
