"""The MTA readers against real logs in ../shared/corpus, with counted codes.

Counts were checked line by line against the files; fail2ban's "# failJSON"
comment lines are removed first, as the corpus notes say.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.logs.reader import read_events, summarize
from bot.logs.source import open_lines
from tests.corpus import corpus_path

pytestmark = pytest.mark.corpus


def log_lines(path: Path) -> list[str]:
    return [line for line in open_lines(path) if not line.startswith("#")]


def code_counts(*parts: str) -> Counter[str]:
    return Counter(e.key for e in read_events(log_lines(corpus_path(*parts))))


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            ("postfix", "fail2ban_postfix.log"),
            {"450": 8, "454": 2, "504": 4, "550": 7, "554": 5},
        ),
        (
            ("postfix", "pflogsumm-go_sample.log"),
            {"250": 5, "550": 1, "554": 1, "4.4.1": 1},
        ),
        (("postfix", "pflogsumm-go_rfc3339.log"), {"250": 1}),
        (("postfix", "youyo_test.log"), {"250": 4}),
        (("postfix", "youyo_test-iso8601.log"), {"250": 4}),
        (("postfix", "sergeymakinen_postfix_exporter_testdata_mail.log"), {"250": 3}),
        (("exim", "fail2ban_exim.log"), {"535": 12}),
        (("exim", "fail2ban_exim-spam.log"), {}),
        (("exim", "exim_testsuite", "test-log-9903.log"), {"451": 1}),
        (
            ("exim", "exim_testsuite", "test-log-0179.log"),
            {"250": 2, "450": 1, "550": 1},
        ),
        (("exim", "exim_testsuite", "test-log-0211.log"), {"450": 2, "550": 4}),
        (("exim", "exim_testsuite", "test-log-0554.log"), {"250": 1, "451": 1}),
        (
            ("sendmail", "fail2ban_sendmail-reject.log"),
            {"550": 10, "553": 4, "421": 4, "450": 1, "451": 1},
        ),
        (("sendmail", "fail2ban_sendmail-auth.log"), {}),
        (("sendmail", "fluent-plugin-sendmail_test_data.log"), {"2.0.0": 4, "451": 2}),
        (("qmail", "alotofwe_qmail_log_spec_one.log"), {"250": 2}),
        (("qmail", "fail2ban_qmail.log"), {"451": 1, "421": 1}),
        (("plex_and_other", "fail2ban_assp.log"), {"535": 11}),
        (("plex_and_other", "fail2ban_courier-smtp.log"), {"550": 5, "535": 3}),
        (("plex_and_other", "fail2ban_oracleims.log"), {"535": 3, "235": 1}),
        (
            (
                "smtp_transcripts",
                "swaks_regressions",
                "exec-transactions__00003.stdout.txt",
            ),
            {"220": 1, "250": 5, "550": 1, "354": 1, "221": 1},
        ),
        (
            (
                "smtp_transcripts",
                "swaks_regressions",
                "exec-transactions__00611.stdout.txt",
            ),
            {"220": 1, "250": 1, "334": 2, "535": 1, "221": 1},
        ),
    ],
)
def test_codes_and_counts_per_file(
    parts: tuple[str, ...], expected: dict[str, int]
) -> None:
    assert code_counts(*parts) == Counter(expected)


def test_rfc5321_scenarios_count_each_multiline_reply_once() -> None:
    counts = code_counts("smtp_transcripts", "rfc5321_appendixD_scenarios.txt")
    assert (counts["220"], counts["221"], counts["354"], counts["550"]) == (5, 5, 4, 2)
    assert counts["250"] == 22


def test_exim_bounces_and_deferrals_are_not_doubled_by_host_lines() -> None:
    path = corpus_path("exim", "exim_testsuite", "test-log-0217.log")
    found = list(read_events(log_lines(path)))
    lines = {e.line for e in found}
    assert len(lines) == len(found)  # one event per line at most
    text = path.read_text().splitlines()
    assert all(" H=" not in text[e.line - 1].split(" ", 3)[2][:2] for e in found)
    assert Counter(e.status for e in found)["bounced"] == sum(
        1 for t in text if " ** " in t and ": 5" in t
    )


def test_trap_set_yields_no_placeholder_codes() -> None:
    path = corpus_path("postfix", "sergeymakinen_postfix_exporter_testdata_mail.log")
    found = list(read_events(log_lines(path)))
    assert {e.code for e in found} == {"250"}
    assert {e.enhanced for e in found} <= {"2.0.0", None}


def _labelled_code(results: dict[str, object]) -> str | None:
    """The reply code the grok test labels for a line, if any."""
    for key in ("postfix_status_code", "postfix_proxy_status_code"):
        if key in results:
            return str(results[key])
    response = str(results.get("postfix_smtp_response", ""))
    if " said: " in response:
        response = response.partition(" said: ")[2]
    head = response[:3]
    if head.isdigit() and response[3:4] in (" ", "-", ""):
        return head
    return None


def test_whyscream_grok_labels_match_codes_and_statuses() -> None:
    path = corpus_path("postfix", "whyscream_grok_tests.jsonl")
    statuses = {"sent": "sent", "deferred": "deferred", "bounced": "bounced"}
    checked = 0
    for row in path.read_text().splitlines():
        case = json.loads(row)
        data, results = case["data"].splitlines()[0], case["results"]
        found = list(read_events([data]))
        expected = _labelled_code(results)
        if expected is None and "status=sent (250 " in data:
            # these cases label only the tls= field; their replies are "250 2.0.0"
            expected = "250"
        codes = [e.code for e in found if e.code]
        assert codes == ([expected] if expected else []), case["file"]
        if "postfix_status_code_enhanced" in results and found:
            assert found[0].enhanced == results["postfix_status_code_enhanced"]
        status = results.get("postfix_status")
        if status in statuses and found:
            assert found[0].status == statuses[status], case["file"]
        checked += 1
    assert checked == 191


@pytest.mark.parametrize(
    "folder",
    ["postfix", "exim", "sendmail", "qmail", "plex_and_other", "smtp_transcripts"],
)
def test_every_file_reads_without_error_and_codes_are_well_formed(folder: str) -> None:
    for path in sorted(corpus_path(folder).rglob("*")):
        if path.is_file() and path.suffix != ".json":
            summary = summarize(log_lines(path))
            for group in summary.groups:
                key = group.code
                assert key[0] in "2345", (path.name, key)
                assert len(key) == 3 or key.count(".") == 2, (path.name, key)
