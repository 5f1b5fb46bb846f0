"""The Slack face of smtpcode: settings, app factory, listeners."""
