"""The knowledge data files: the seed table exactly, every reply and registry code."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.knowledge import table
from bot.knowledge.records import CodeClass, Retry, TableRow


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a constant."""
    return text.split()


SHARED = Path(__file__).resolve().parents[2].parent / "shared"

# A copy of ../shared/seed-table.md, character for character (typos included).
EXPECTED_SEED = [
    ("1", "No error; success.", "Plex"),
    ("0", "No Errors,Sucess", "SMTP Server"),
    ("211", "System status message.", "SMTP server"),
    ("214", "Help message formatted for human reader follows.", "SMTP server"),
    ("220", "SMTP service ready.", "SMTP server"),
    ("221", "The connection to the server has closed.", "SMTP server"),
    ("250", "The mail server has successfully delivered the message.", "SMTP server"),
    (
        "251",
        "Recipient is not local to the server, but the server will accept and "
        "forward the message.",
        "SMTP server",
    ),
    (
        "252",
        "Recipient can't be verified, but the server will accept the message and "
        "attempt delivery.",
        "SMTP server",
    ),
    (
        "354",
        'The server is ready to accept the message after you have given it "From" '
        'and "To" information.',
        "SMTP server",
    ),
    ("421", "The service is not available.", "SMTP server"),
    (
        "450",
        "Requested command failed because the recipient's mailbox is unavailable.",
        "SMTP server",
    ),
    ("451", "The command was aborted due to a server error.", "SMTP server"),
    (
        "452",
        "The command was aborted because the server has insufficient system storage.",
        "SMTP server",
    ),
    (
        "500",
        "The server did not recognize the command due to a syntax error.",
        "SMTP server",
    ),
    ("501", "A syntax error was found in the command arguments.", "SMTP server"),
    (
        "502",
        "The command issued by the email server is valid but not activated on this "
        "server.",
        "SMTP server",
    ),
    (
        "503",
        "The server encountered a bad command or sequence of commands.",
        "SMTP server",
    ),
    (
        "504",
        "The command and parameter issued by the email server are both valid, but "
        "the parameter is not implemented or an additional parameter is missing.",
        "SMTP server",
    ),
    ("550", "The user does not have permission to send.", "SMTP server"),
    (
        "551",
        "Recipient is not local to the server. Server responds with a forwarding "
        "address that should be tried.",
        "SMTP server",
    ),
    (
        "552",
        "The action was aborted because storage allocation was exceeded.",
        "SMTP server",
    ),
    (
        "553",
        "A domain is not specified in the email addresses of any of the recipients.",
        "SMTP server",
    ),
    (
        "554",
        "The transaction failed without a clear reason; unexpected error.",
        "SMTP server",
    ),
    ("9009", "Failed to log into the specified SMTP server.", "Plex"),
    (
        "9010",
        "The server did not recognize the command due to a syntax error.",
        "Plex",
    ),
    (
        "9998",
        "The server did not recognize the command due to a syntax error.",
        "Plex",
    ),
    (
        "9999",
        "The server did not recognize the command due to a syntax error.",
        "Plex",
    ),
]

# Every code of ../shared/reference/basic-reply-codes.csv.
REPLY_CODES = _words(
    """
211 214 220 221 235 250 251 252 253 334 354 355 421 422 430 432 450 451 452 453 454
455 456 458 459 500 501 502 503 504 520 521 523 524 525 530 533 534 535 538 550 551
552 553 554 555 556 557 101 111 200 420 431 441 442 446 447 449 471 510 511 512 513
541 571 499 605 607 0 1 9009 9010 9998 9999
"""
)

# Every enumerated code of the IANA registry, as subject.detail.
REGISTRY = _words(
    """
0.0 1.0 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8 1.9 1.10 2.0 2.1 2.2 2.3 2.4 3.0 3.1 3.2 3.3
3.4 3.5 3.6 4.0 4.1 4.2 4.3 4.4 4.5 4.6 4.7 5.0 5.1 5.2 5.3 5.4 5.5 5.6 6.0 6.1 6.2
6.3 6.4 6.5 6.6 6.7 6.8 6.9 6.10 7.0 7.1 7.2 7.3 7.4 7.5 7.6 7.7 7.8 7.9 7.10 7.11
7.12 7.13 7.14 7.15 7.16 7.17 7.18 7.19 7.20 7.21 7.22 7.23 7.24 7.25 7.26 7.27 7.28
7.29 7.30
"""
)

PLEX = ("0", "1", "9009", "9010", "9998", "9999")
IANA = "{http://www.iana.org/assignments}"


def _shared(*parts: str) -> Path:
    """A file under ../shared, or skip the test with a reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared reference not present here: {path}")
    return path


def _markdown_rows(path: Path) -> list[tuple[str, str, str]]:
    """The body rows of the seed table in seed-table.md."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| Code"):
            continue
        code, description, kind = (
            c.strip() for c in line.strip().strip("|").split("|")
        )
        rows.append((code, description, kind))
    return rows


def test_seed_table_has_28_rows_in_the_designs_order() -> None:
    assert [row.code for row in table.seed_rows()] == [c for c, _, _ in EXPECTED_SEED]


@pytest.mark.parametrize(("index", "expected"), list(enumerate(EXPECTED_SEED)))
def test_seed_row_matches_the_copy_in_this_test(
    index: int, expected: tuple[str, str, str]
) -> None:
    assert table.seed_rows()[index] == TableRow(*expected)


@pytest.mark.parametrize("index", range(28))
def test_seed_row_matches_shared_seed_table(index: int) -> None:
    rows = _markdown_rows(_shared("seed-table.md"))
    assert len(rows) == 28
    assert table.seed_rows()[index] == TableRow(*rows[index])


def test_seed_table_keeps_the_typos_and_the_capital_s() -> None:
    zero = table.seed_by_code()["0"]
    assert zero.description == "No Errors,Sucess"
    assert zero.type == "SMTP Server"
    assert table.seed_by_code()["211"].type == "SMTP server"


@pytest.mark.parametrize("code", REPLY_CODES)
def test_every_reference_reply_code_has_a_complete_row(code: str) -> None:
    info = table.reply(code)
    assert info is not None
    assert info.title and info.meaning and info.action and info.rfc
    assert info.causes, "causes help during an incident"
    assert isinstance(info.retry, Retry)


def test_reply_codes_cover_the_shared_reference_file() -> None:
    path = _shared("reference", "basic-reply-codes.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        reference = {row["code"] for row in csv.DictReader(fh)}
    assert reference == set(REPLY_CODES)
    assert reference <= set(table.replies())


def test_reply_meanings_are_our_own_words_not_the_references() -> None:
    path = _shared("reference", "basic-reply-codes.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        reference = {row["code"]: row["standard_text"] for row in csv.DictReader(fh)}
    copied = [c for c, text in reference.items() if table.replies()[c].meaning == text]
    assert copied == []


@pytest.mark.parametrize("code", [c for c in REPLY_CODES if c[0] in "2345"])
def test_smtp_shaped_reply_codes_have_the_class_of_their_first_digit(
    code: str,
) -> None:
    info = table.reply(code)
    assert info is not None
    if info.status == "vendor":  # Mailgun's 499 is not a wire reply
        assert info.code_class is CodeClass.APPLICATION
        return
    expected = {
        "2": CodeClass.SUCCESS,
        "3": CodeClass.INTERMEDIATE,
        "4": CodeClass.TRANSIENT,
        "5": CodeClass.PERMANENT,
    }[code[0]]
    assert info.code_class is expected


@pytest.mark.parametrize("code", [*PLEX, "101", "111", "605", "607"])
def test_non_smtp_codes_are_application_codes(code: str) -> None:
    info = table.reply(code)
    assert info is not None
    assert info.code_class is CodeClass.APPLICATION


@pytest.mark.parametrize("klass", ["2xx", "3xx", "4xx", "5xx"])
def test_class_rows_exist_for_fallbacks(klass: str) -> None:
    info = table.reply(klass)
    assert info is not None
    assert info.status == "class"


@pytest.mark.parametrize("key", REGISTRY)
def test_every_registry_code_has_a_complete_row(key: str) -> None:
    info = table.enhanced_detail(key)
    assert info is not None
    assert info.title and info.meaning and info.action and info.rfc
    assert info.classes and set(info.classes) <= {"2", "4", "5"}


def test_registry_rows_match_the_shared_iana_file() -> None:
    root = ET.parse(_shared("reference", "smtp-enhanced-status-codes.xml")).getroot()
    codes = {
        record.findtext(f"{IANA}code", "").removeprefix("X.")
        for registry in root.findall(f"{IANA}registry")
        if registry.get("id") == "smtp-enhanced-status-codes-3"
        for record in registry.findall(f"{IANA}record")
    }
    ours = {key for kind, key in table.enhanced() if kind == "detail"}
    assert codes == ours == set(REGISTRY)


def test_registry_meanings_are_our_own_words_not_ianas() -> None:
    root = ET.parse(_shared("reference", "smtp-enhanced-status-codes.xml")).getroot()
    copied = []
    for record in root.iter(f"{IANA}record"):
        code = record.findtext(f"{IANA}code", "")
        description = " ".join(record.findtext(f"{IANA}description", "").split())
        info = table.enhanced_detail(code.removeprefix("X."))
        if info is not None and info.meaning == description:
            copied.append(code)
    assert copied == []


@pytest.mark.parametrize(("kind", "keys"), [("class", "245"), ("subject", "01234567")])
def test_class_and_subject_rows_exist(kind: str, keys: str) -> None:
    for key in keys:
        assert (kind, key) in table.enhanced()


def test_deprecated_and_draft_registry_codes_are_marked() -> None:
    deprecated = table.enhanced_detail("6.10")
    draft = table.enhanced_detail("7.28")
    assert deprecated is not None and deprecated.status == "deprecated"
    assert draft is not None and draft.status == "draft"


def test_data_is_loaded_once_and_read_only() -> None:
    assert table.replies() is table.replies()
    assert table.seed_rows() is table.seed_rows()
    with pytest.raises(TypeError):
        table.replies()["999"] = table.replies()["550"]  # type: ignore[index]


def test_retry_for_follows_the_class_digit() -> None:
    info = table.enhanced_detail("1.1")
    assert info is not None
    assert info.retry_for("2") is Retry.NOT_NEEDED
    assert info.retry_for("4") is Retry.YES
    assert info.retry_for("5") is Retry.NO


# RFC 3463: s2 defines the structure (classes and subjects); s3.1 to s3.8 list the
# codes of subjects 0 to 7 (X.0.0 in s3.1, X.1.x addressing in s3.2, ...).
@pytest.mark.parametrize(
    "info", list(table.enhanced().values()), ids=lambda i: f"{i.kind}-{i.key}"
)
def test_rfc_3463_sections_follow_from_the_subject(info: table.EnhancedInfo) -> None:
    cited = [p.strip() for p in info.rfc.split(";") if p.strip().startswith("RFC 3463")]
    if info.kind in ("class", "subject"):
        assert cited == ["RFC 3463 s2"]
    elif cited:
        subject = int(info.key.split(".")[0])
        assert cited == [f"RFC 3463 s3.{subject + 1}"]


def test_rfc_3463_section_numbers_were_off_by_one_and_are_fixed() -> None:
    unknown_user = table.enhanced_detail("1.1")
    security = table.enhanced_detail("7.1")
    assert unknown_user is not None and unknown_user.rfc == "RFC 3463 s3.2"
    assert security is not None and security.rfc == "RFC 3463 s3.8"
    assert all("s3.9" not in i.rfc for i in table.enhanced().values())
