"""Explaining codes: the seed rows, every reply and registry code, pairs, fallbacks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.knowledge import lookup, reasons, table
from bot.knowledge.errors import QueryError
from bot.knowledge.lookup import (
    TABLE_LABEL,
    explain,
    explain_pair,
    known_codes,
    nearest_codes,
    table_rows,
)
from bot.knowledge.records import CodeClass, ProviderReply, Retry
from tests.knowledge.test_table import EXPECTED_SEED, PLEX, REGISTRY, REPLY_CODES

FIRST_DIGIT = {
    "2": CodeClass.SUCCESS,
    "3": CodeClass.INTERMEDIATE,
    "4": CodeClass.TRANSIENT,
    "5": CodeClass.PERMANENT,
}
TABLE_DIFFERS = ("550", "553", "554", "250", "504", "221", "421", "452", "0")
DOTS_REMOVED = {"511": "5.1.1", "571": "5.7.1", "471": "4.7.1", "541": "5.4.1"}


@pytest.mark.parametrize(("code", "description", "kind"), EXPECTED_SEED)
def test_seed_code_is_explained_with_the_tables_exact_words(
    code: str, description: str, kind: str
) -> None:
    explanation = explain(code)
    assert explanation.table is not None
    assert explanation.table.description == description
    assert explanation.table.type == kind
    assert explanation.standard and explanation.action and explanation.rfc
    assert explanation.known


@pytest.mark.parametrize("code", PLEX)
def test_plex_codes_are_application_codes_not_smtp_replies(code: str) -> None:
    explanation = explain(code)
    assert explanation.code_class is CodeClass.APPLICATION
    assert any("not an SMTP reply" in note for note in explanation.notes)


def test_zero_keeps_the_tables_type_but_says_it_is_no_smtp_code() -> None:
    explanation = explain("0")
    assert explanation.table is not None
    assert explanation.table.type == "SMTP Server"
    assert explanation.code_class is CodeClass.APPLICATION
    table_notes = [n for n in explanation.notes if n.startswith(TABLE_LABEL)]
    assert table_notes and "not an SMTP reply" in table_notes[0]


@pytest.mark.parametrize("code", TABLE_DIFFERS)
def test_table_wording_that_differs_from_the_standard_gets_a_labelled_note(
    code: str,
) -> None:
    explanation = explain(code)
    labelled = [n for n in explanation.notes if n.startswith(TABLE_LABEL)]
    assert len(labelled) == 1
    assert explanation.standard != explanation.table.description  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["211", "214", "220", "451", "500", "551"])
def test_table_wording_that_agrees_has_no_table_note(code: str) -> None:
    assert not any(n.startswith(TABLE_LABEL) for n in explain(code).notes)


@pytest.mark.parametrize("code", REPLY_CODES)
def test_every_reply_code_is_explained(code: str) -> None:
    explanation = explain(code)
    assert explanation.code == code
    assert explanation.enhanced is None
    assert explanation.known
    assert explanation.title and explanation.standard and explanation.causes
    assert explanation.action and explanation.rfc
    assert explanation.retry is not Retry.UNKNOWN
    info = table.reply(code)
    assert info is not None and explanation.code_class is info.code_class


@pytest.mark.parametrize("code", [c for c in REPLY_CODES if c[0] in "2345"])
def test_related_enhanced_codes_are_well_formed(code: str) -> None:
    for related in explain(code).related:
        assert lookup.ENHANCED_SHAPE.fullmatch(related), related


@pytest.mark.parametrize("klass", ["2", "4", "5"])
@pytest.mark.parametrize("key", REGISTRY)
def test_every_registry_code_is_explained_in_every_class(klass: str, key: str) -> None:
    code = f"{klass}.{key}"
    explanation = explain(code)
    info = table.enhanced_detail(key)
    assert info is not None
    assert explanation.enhanced == code and explanation.code is None
    assert explanation.code_class is FIRST_DIGIT[klass]
    assert explanation.enhanced_title == info.title == explanation.title
    assert explanation.extra["match"] == "detail"
    assert explanation.extra["registry"] == f"X.{key}"
    assert explanation.retry is info.retry_for(klass)
    assert explanation.known


@pytest.mark.parametrize("code", ["5.7.99", "5.7.708", "4.7.500", "5.1.90"])
def test_unregistered_detail_falls_back_to_class_and_subject(code: str) -> None:
    explanation = explain(code)
    assert explanation.known
    assert explanation.extra["match"] == "subject"
    assert explanation.code_class is FIRST_DIGIT[code[0]]
    assert any("not in the IANA registry" in note for note in explanation.notes)


def test_five_seven_ninety_nine_reads_permanent_security_or_policy() -> None:
    title = explain("5.7.99").title.lower()
    assert "permanent" in title and "security or policy" in title


@pytest.mark.parametrize(("code", "vendor"), [("5.7.708", True), ("5.7.99", False)])
def test_three_digit_details_are_called_vendor_specific(
    code: str, vendor: bool
) -> None:
    notes = " ".join(explain(code).notes)
    assert ("vendor-specific" in notes) is vendor


def test_undefined_subject_falls_back_to_class_only_and_is_not_known() -> None:
    explanation = explain("5.9.1")
    assert explanation.code_class is CodeClass.PERMANENT
    assert not explanation.known
    assert explanation.extra["match"] == "class"


def test_deprecated_x_6_10_is_flagged() -> None:
    explanation = explain("5.6.10")
    assert explanation.extra["status"] == "deprecated"
    assert any("Deprecated" in note for note in explanation.notes)


@pytest.mark.parametrize(
    ("code", "provider"),
    [
        ("5.7.26", "Gmail"),
        ("4.7.23", "Gmail"),
        ("5.7.27", "Gmail"),
        ("5.7.29", "Gmail"),
        ("5.7.30", "Gmail"),
        ("5.4.1", "Microsoft"),
        ("5.7.9", "Yahoo"),
    ],
)
def test_vendor_reuse_of_registered_numbers_is_noted(code: str, provider: str) -> None:
    assert any(provider in note for note in explain(code).notes)


@pytest.mark.parametrize("text", ["550 5.1.1", "550-5.1.1", "#550 5.1.1"])
def test_pair_combines_reply_and_enhanced_code(text: str) -> None:
    explanation = explain(text)
    assert (explanation.code, explanation.enhanced) == ("550", "5.1.1")
    assert explanation.label == "550 5.1.1"
    assert explanation.enhanced_title == "Bad destination mailbox address"
    assert explanation.retry is Retry.NO
    assert explanation.table is not None
    assert "mismatch" not in explanation.extra


def test_mismatched_pair_is_flagged_and_retry_follows_the_reply_code() -> None:
    explanation = explain("421 5.7.32")
    assert explanation.code_class is CodeClass.TRANSIENT
    assert explanation.retry is Retry.YES
    assert explanation.extra["mismatch"] == "class"
    assert any("RFC 2034" in note for note in explanation.notes)


def test_permanent_reply_with_transient_enhanced_code_stays_permanent() -> None:
    explanation = explain("550 4.7.1")
    assert explanation.code_class is CodeClass.PERMANENT
    assert explanation.extra["mismatch"] == "class"


@pytest.mark.parametrize(("code", "dotted"), DOTS_REMOVED.items())
def test_dots_removed_codes_are_explained_with_both_readings(
    code: str, dotted: str
) -> None:
    explanation = explain(code)
    readings = [n for n in explanation.notes if "two readings" in n]
    assert readings and dotted in readings[0]
    assert dotted in explanation.related


def test_523_gives_the_registry_reading_and_the_dots_removed_reading() -> None:
    reading = next(n for n in explain("523").notes if "two readings" in n)
    assert "5.7.10" in reading and "5.2.3" in reading


@pytest.mark.parametrize(("query", "klass"), [("5xx", "5"), ("4XX", "4"), ("2xx", "2")])
def test_class_queries_explain_the_whole_class(query: str, klass: str) -> None:
    explanation = explain(query)
    assert explanation.code_class is FIRST_DIGIT[klass]
    assert explanation.code == query.lower()
    assert explanation.action


def test_enhanced_class_query_explains_the_whole_enhanced_class() -> None:
    explanation = explain("4.x.x")
    assert explanation.code_class is CodeClass.TRANSIENT
    assert explanation.enhanced == "4.x.x"


def test_unlisted_smtp_shaped_code_falls_back_to_its_first_digit() -> None:
    explanation = explain("559")
    assert explanation.code_class is CodeClass.PERMANENT
    assert not explanation.known
    assert explanation.notes


@pytest.mark.parametrize(
    ("query", "wanted"),
    [("99999", "9999"), ("4.7", "4.7.1"), ("5500", "550"), ("6.1.1", "5.1.1")],
)
def test_bad_code_raises_query_error_with_near_suggestions(
    query: str, wanted: str
) -> None:
    with pytest.raises(QueryError) as caught:
        explain(query)
    assert query in caught.value.problem
    assert wanted in caught.value.suggestions


@pytest.mark.parametrize("query", ["abc", "", "<!channel>", "5.7.26.1"])
def test_text_without_a_code_raises_query_error(query: str) -> None:
    with pytest.raises(QueryError):
        explain(query)


def test_incomplete_enhanced_code_suggests_codes_with_that_prefix() -> None:
    assert all(s.startswith("4.7.") for s in nearest_codes("4.7"))
    assert nearest_codes("abc") == ()


@pytest.mark.parametrize(
    ("code", "enhanced"),
    [
        (None, None),
        ("abc", None),
        ("99999", "9.9.9"),
        ("550", "x.y"),
        ("", ""),
        ("5" * 500, "5." * 300),
        (None, "5.07.1"),
        ("0", "5.0.0"),
    ],
)
def test_explain_pair_never_raises_and_marks_unknown_input(
    code: str | None, enhanced: str | None
) -> None:
    explanation = explain_pair(code, enhanced)
    assert explanation.title
    if code not in ("550", "0"):
        assert not explanation.known


def test_explain_pair_matches_explain_for_the_same_code() -> None:
    pair = explain_pair("550", "5.7.26")
    assert pair == explain("550 5.7.26")


def test_explain_pair_caches_the_text_free_part() -> None:
    explain_pair("452", "4.2.2")
    before = lookup._base.cache_info().hits
    explain_pair("452", "4.2.2")
    assert lookup._base.cache_info().hits == before + 1


def test_explain_pair_returns_a_fresh_extra_each_time() -> None:
    first = explain_pair("550", None)
    first.extra["mutated"] = "yes"
    assert "mutated" not in explain_pair("550", None).extra


@dataclass
class FakeVerdict:
    reason: str
    hard: bool
    provider: ProviderReply | None
    retry: Retry


PROVIDER = ProviderReply(
    provider="Example Mail",
    reply="550",
    enhanced="5.7.26",
    match="unauthenticated",
    meaning="Unauthenticated mail is refused.",
    reason="authfailure",
    retry=Retry.AFTER_FIX,
    fix="Set up SPF and DKIM.",
)


def test_explain_pair_with_text_asks_the_reasons_layer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []

    def fake(code: str | None, enhanced: str | None, text: str) -> FakeVerdict:
        calls.append((code, enhanced, text))
        return FakeVerdict("authfailure", True, PROVIDER, Retry.AFTER_FIX)

    monkeypatch.setattr(reasons, "classify", fake)
    explanation = explain_pair("550", "5.7.26", "550 5.7.26 unauthenticated mail")

    assert calls == [("550", "5.7.26", "550 5.7.26 unauthenticated mail")]
    assert explanation.provider is PROVIDER
    assert explanation.reason == "authfailure"
    assert explanation.hard is True
    assert explanation.reply_text == "550 5.7.26 unauthenticated mail"


def test_explain_pair_survives_a_failing_reasons_layer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(code: str | None, enhanced: str | None, text: str) -> FakeVerdict:
        raise RuntimeError("boom")

    monkeypatch.setattr(reasons, "classify", broken)
    explanation = explain_pair("452", "4.2.2", "mailbox full")
    assert explanation.reply_text == "mailbox full"
    assert explanation.reason is None


def test_explain_pair_with_real_reasons_layer_fills_reason_and_hard() -> None:
    explanation = explain_pair("550", "5.1.1", "550 5.1.1 User unknown")
    assert explanation.reason
    assert explanation.hard is not None


def test_table_rows_are_the_28_seed_rows() -> None:
    rows = table_rows()
    assert len(rows) == 28
    assert [r.code for r in rows] == [c for c, _, _ in EXPECTED_SEED]


def test_known_codes_list_reply_codes_in_order_then_enhanced_codes() -> None:
    codes = known_codes()
    replies = [c for c in codes if "." not in c]
    assert replies == sorted(replies, key=int)
    assert set(REPLY_CODES) == set(replies)
    assert {"5.7.26", "4.2.2", "5.1.1", "2.1.5"} <= set(codes)
    assert "5xx" not in codes


# --- fixes found by a new-user test ----------------------------------------------


@pytest.mark.parametrize(("query", "near"), [("599", "554"), ("560", "550")])
def test_second_digit_above_five_is_called_invalid_with_near_valid_codes(
    query: str, near: str
) -> None:
    # "599" was answered "reply codes are three digits from 200 to 599".
    with pytest.raises(QueryError) as caught:
        explain(query)
    assert "second digit" in caught.value.problem
    assert "RFC 5321 s4.2" in caught.value.problem
    assert "200 to 599" not in caught.value.problem
    assert near in caught.value.suggestions
    assert all(lookup.REPLY_SHAPE.fullmatch(s) for s in caught.value.suggestions)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("600", "first digit"),
        ("099", "first digit"),
        ("1000", "exactly three digits"),
        ("6.1.1", "(the class) must be 2, 4 or 5"),
        ("5.01.1", "no leading zeros"),
    ],
)
def test_bad_code_messages_name_the_rule_that_is_broken(query: str, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        explain(query)
    assert words in caught.value.problem


@pytest.mark.parametrize(
    ("typed", "meant"), [("55O", "550"), ("5.1.l", "5.1.1"), ("5,7,1", "5.7.1")]
)
def test_look_alike_characters_get_did_you_mean(typed: str, meant: str) -> None:
    with pytest.raises(QueryError) as caught:
        explain(typed)
    assert f"did you mean {meant}?" in caught.value.problem
    assert caught.value.suggestions == (meant,)


@pytest.mark.parametrize("word", ["I", "lo", "Ol", "no", "550OK"])
def test_words_without_a_code_inside_are_no_typos(word: str) -> None:
    assert lookup.read_token(word) is None


def test_enhanced_code_causes_come_first_and_contradicting_ones_are_dropped() -> None:
    # 550 5.7.26 listed "recipient address does not exist (5.1.1)" as a cause.
    exp = explain("550 5.7.26")
    only_enhanced = explain("5.7.26")
    assert exp.causes[: len(only_enhanced.causes)] == only_enhanced.causes
    assert not any("5.1.1" in c or "5.7.1)" in c for c in exp.causes)
    assert exp.action == only_enhanced.action


def test_reply_cause_citing_the_very_enhanced_code_is_kept() -> None:
    exp = explain("550 5.1.1")
    assert any("(5.1.1)" in c for c in exp.causes)
    assert not any("(5.7.1)" in c for c in exp.causes)


def test_class_mismatch_action_agrees_with_retry_and_names_the_mismatch() -> None:
    # 451 5.1.1 said both "Do not resend unchanged" and "Retry helps: yes".
    exp = explain("451 5.1.1")
    assert exp.retry is Retry.YES
    assert "Do not resend" not in exp.action
    assert "retry" in exp.action.lower() and "5.1.1" in exp.action
    assert "RFC 5321 s4.2" in exp.action


def test_permanent_reply_with_transient_enhanced_code_says_do_not_resend() -> None:
    exp = explain("550 4.7.1")
    assert exp.retry is Retry.AFTER_FIX
    assert exp.action.startswith("Do not resend unchanged")


def test_auth_success_is_not_called_delivered_or_a_bounce() -> None:
    exp = explain_pair("235", "2.7.0", "235 2.7.0 Authentication successful")
    assert exp.reason is None and exp.hard is None
    assert "Refused" not in exp.enhanced_meaning
    assert exp.causes == explain("235").causes


def test_accepted_message_keeps_delivered_without_a_bounce_kind() -> None:
    exp = explain_pair("250", "2.0.0", "250 2.0.0 Ok: queued as 4A1B2C")
    assert exp.reason == "delivered"
    assert exp.hard is None


def test_zero_says_not_an_smtp_reply_once_not_in_two_notes() -> None:
    notes = explain("0").notes

    assert sum("not an SMTP reply" in note for note in notes) == 1


def test_pair_related_codes_are_the_enhanced_codes_neighbours() -> None:
    # "550 5.7.26" listed 5.1.1 and 5.1.10, the bare 550's pointers.
    related = explain("550 5.7.26").related

    assert related and all(code.startswith("5.7.") for code in related)
    assert "5.7.26" not in related


def test_provider_note_replaces_the_code_note_about_the_same_provider() -> None:
    text = "550-5.7.26 This mail is unauthenticated, and has been blocked. gsmtp"
    exp = lookup.explain_pair("550", "5.7.26", text)

    assert exp.provider is not None and exp.provider.note
    assert not any("Gmail" in note for note in exp.notes)
    assert any("Gmail" in note for note in lookup.explain_pair("550", "5.7.26").notes)
