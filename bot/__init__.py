"""smtpcode: explain SMTP reply codes and summarize mail logs by code."""

__version__ = "0.1.0"
