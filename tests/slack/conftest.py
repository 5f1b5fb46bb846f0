"""Fixtures for the Slack tests; the harness itself lives in harness.py."""

from tests.slack.harness import (  # noqa: F401
    _hermetic,
    foreign,
    httpserver_listen_address,
    make_httpserver,
    running,
    slack,
    start_app,
    websocket,
)
