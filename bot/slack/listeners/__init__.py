"""Listeners grouped by Slack surface."""
