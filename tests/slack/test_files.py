"""File downloads: the token only to Slack's host, no redirects, caps and sniffing."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from bot.knowledge.errors import InputError
from bot.slack import files
from tests.slack.harness import BOT_TOKEN, FakeSlack

LOG = b"Jan  1 00:00:01 mx postfix/smtp[1]: 0ABC: status=deferred (451 4.7.1 later)\n"


def fetch(slack: FakeSlack, url: str, limit: int = 1_000_000) -> bytes:
    with files.download(
        url, token=BOT_TOKEN, api_url=slack.api_url, name="x.log", limit=limit
    ) as s:
        return s.read()


def test_download_sends_the_bot_token_to_the_api_host(slack: FakeSlack) -> None:
    url = slack.add_file("maillog.log", LOG, content_type="text/plain")

    assert fetch(slack, url) == LOG
    (call,) = slack.downloads(url)
    assert call.headers["Authorization"] == f"Bearer {BOT_TOKEN}"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.log", True),
        ("https://slack.com/x", True),
        ("https://example.slack.com/files-pri/x", True),
        ("http://files.slack.com/files-pri/x", False),
        ("https://files.slack.com.evil.example/x", False),
        ("https://evilslack.com/x", False),
        ("https://example.com/files-pri/x", False),
        ("http://127.0.0.1:1/x", False),
        ("http://127.0.0.1:9/files-pri/x", True),
        ("https://127.0.0.1:9/files-pri/x", False),
    ],
)
def test_token_goes_only_to_slack_https_hosts(url: str, allowed: bool) -> None:
    assert files.token_allowed(url, "http://127.0.0.1:9/api/") is allowed


def test_foreign_host_gets_no_request_at_all(
    slack: FakeSlack, foreign: HTTPServer
) -> None:
    with pytest.raises(InputError) as caught:
        fetch(slack, foreign.url_for("/steal.log"))

    assert caught.value.kind == "foreign_host"
    assert foreign.log == []


def test_redirect_is_not_followed_with_the_token(
    slack: FakeSlack, foreign: HTTPServer
) -> None:
    url = slack.add_file(
        "moved.log",
        b"",
        status=302,
        headers={"Location": foreign.url_for("/steal.log")},
    )

    with pytest.raises(InputError) as caught:
        fetch(slack, url)

    assert caught.value.kind == "unreadable"
    assert foreign.log == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html><body>Sign in to Slack</body></html>", "text/html"),
        (b"\n  <!doctype html>\n<html>login</html>", "application/octet-stream"),
        (b"<html><head></head></html>", "text/plain"),
    ],
)
def test_login_page_instead_of_the_file_is_recognised(
    slack: FakeSlack, body: bytes, content_type: str
) -> None:
    url = slack.add_file("maillog.log", body, content_type=content_type)

    with pytest.raises(InputError) as caught:
        fetch(slack, url)

    assert caught.value.kind == "html"


def test_download_stops_at_the_byte_cap_even_without_a_length(slack: FakeSlack) -> None:
    url = slack.add_file("big.log", LOG * 1000, stream=True)

    with pytest.raises(files.DownloadTooBig):
        fetch(slack, url, limit=len(LOG) * 10)


def test_content_length_over_the_cap_fails_before_reading(slack: FakeSlack) -> None:
    url = slack.add_file("big.log", LOG * 100)

    with pytest.raises(files.DownloadTooBig):
        fetch(slack, url, limit=len(LOG))


def test_http_error_from_the_file_host_is_unreadable(slack: FakeSlack) -> None:
    url = slack.add_file("gone.log", b"no", status=404)

    with pytest.raises(InputError) as caught:
        fetch(slack, url)

    assert caught.value.kind == "unreadable"
    assert BOT_TOKEN not in caught.value.message


@pytest.mark.parametrize(
    ("file", "readable"),
    [
        ({"name": "maillog.gz", "mimetype": "application/gzip"}, True),
        ({"name": "export.CSV", "mimetype": "text/csv"}, True),
        ({"name": "bounce.eml", "mimetype": "message/rfc822"}, True),
        ({"name": "Untitled", "mode": "snippet", "mimetype": "text/plain"}, True),
        ({"name": "notes", "mimetype": "text/plain"}, True),
        ({"name": "screenshot.png", "mimetype": "image/png"}, False),
        ({"name": "page.html", "mimetype": "text/html"}, False),
    ],
)
def test_log_files_are_chosen_by_name_snippet_or_text_type(
    file: dict[str, str], readable: bool
) -> None:
    assert files.is_log_file(file) is readable


def test_file_streaming_far_past_its_stated_size_is_stopped(slack: FakeSlack) -> None:
    # A file that claimed 10 bytes was read up to the 200 MB cap and summarized.
    url = slack.add_file("liar.log", LOG * 5000, stream=True)

    with (
        pytest.raises(files.SizeMismatch),
        files.download(
            url,
            token=BOT_TOKEN,
            api_url=slack.api_url,
            name="liar.log",
            limit=10_000_000,
            stated=10,
        ) as stream,
    ):
        stream.read()


def test_file_of_its_stated_size_is_read_whole(slack: FakeSlack) -> None:
    body = LOG * 50
    url = slack.add_file("honest.log", body, stream=True)

    with files.download(
        url,
        token=BOT_TOKEN,
        api_url=slack.api_url,
        name="honest.log",
        limit=10_000_000,
        stated=len(body),
    ) as stream:
        assert stream.read() == body
