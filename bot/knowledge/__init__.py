"""Slack-free knowledge of what mail-server codes mean."""
