"""JSON for scripts: stable keys for explanations, summaries and events."""

from __future__ import annotations

import json

from bot.knowledge.records import CodeClass
from bot.render.jsonout import event_dict, explanation_dict, summary_dict
from tests.render.samples import event, explanation, group, provider, summary

SUMMARY_KEYS = {
    "verdict",
    "lines_read",
    "events",
    "formats",
    "unparsed",
    "bytes_read",
    "first_seen",
    "last_seen",
    "other_codes",
    "directions",
    "notes",
    "codes",
}
CODE_KEYS = {
    "code",
    "count",
    "share",
    "class",
    "meaning",
    "enhanced",
    "statuses",
    "directions",
    "reasons",
    "providers",
    "hard",
    "domains",
    "hosts",
    "first_seen",
    "last_seen",
    "examples",
}
EVENT_KEYS = {
    "line",
    "format",
    "code",
    "enhanced",
    "status",
    "recipient_domain",
    "remote_host",
    "time",
    "reason",
    "hard",
    "provider",
    "direction",
}


def test_explanation_dict_is_json_with_class_table_and_provider() -> None:
    d = explanation_dict(explanation("550", enhanced="5.7.26", provider=provider()))
    assert json.loads(json.dumps(d)) == d
    assert d["code"] == "550" and d["enhanced"] == "5.7.26"
    assert d["label"] == "550 5.7.26"
    assert d["class"] == "permanent failure"
    assert d["table"]["type"] == "SMTP server"
    assert d["provider"]["provider"] == "Example Mail"
    assert d["retry"] == "after a fix"


def test_summary_dict_has_the_stable_keys() -> None:
    d = summary_dict(summary())
    assert set(d) == SUMMARY_KEYS
    assert all(set(code) == CODE_KEYS for code in d["codes"])
    assert json.loads(json.dumps(d)) == d


def test_summary_dict_per_code_maps_and_order() -> None:
    d = summary_dict(summary())
    first = d["codes"][0]
    assert [c["code"] for c in d["codes"]] == ["550", "451"]
    assert first["enhanced"] == {"5.1.1": 2, "5.7.1": 1}
    assert list(first["domains"]) == ["example.com", "example.net"]
    assert first["class"] == "permanent failure"
    assert d["formats"] == {"postfix": 5, "bounce": 1}


def test_hard_comes_from_knowledge_else_from_the_class() -> None:
    soft = group("451")
    told = group("550", explanation=explanation("550", hard=False))
    success = group("250", code_class=CodeClass.SUCCESS)
    d = summary_dict(summary(groups=(group("550"), soft, told, success)))
    assert [c["hard"] for c in d["codes"]] == [True, False, False, None]


def test_event_dict_has_exactly_the_event_keys() -> None:
    d = event_dict(event())
    assert set(d) == EVENT_KEYS
    assert d["line"] == 4 and d["enhanced"] == "5.1.1" and d["hard"] is True


def test_summary_and_events_json_say_which_way_the_mail_went() -> None:
    from bot.logs.reader import read_events, summarize
    from bot.logs.source import text_lines

    log = (
        "Mar 14 08:00:01 mx postfix/smtpd[41]: NOQUEUE: reject: RCPT from "
        "unknown[192.0.2.9]: 554 5.7.1 Service unavailable; Client host "
        "[192.0.2.9] blocked using zen.spamhaus.org; from=<a@example.org> "
        "to=<b@example.com> proto=ESMTP helo=<x>\n"
        "Mar 14 08:00:02 mx postfix/smtp[42]: 1A2B: to=<c@example.net>, "
        "relay=mx.example.net[198.51.100.2]:25, delay=1, dsn=5.1.1, "
        "status=bounced (host mx.example.net[198.51.100.2] said: 550 5.1.1 "
        "<c@example.net>: User unknown (in reply to RCPT TO command))\n"
    )
    summary = summary_dict(summarize(text_lines(log)))
    events = [event_dict(e) for e in read_events(text_lines(log))]

    assert summary["directions"] == {"inbound": 1, "outbound": 1}
    assert {c["code"]: c["directions"] for c in summary["codes"]} == {
        "554": {"inbound": 1},
        "550": {"outbound": 1},
    }
    assert [e["direction"] for e in events] == ["inbound", "outbound"]


def test_json_keeps_sisimais_onhold_label_where_text_renderers_hide_it() -> None:
    # Decided: --json and --events are for machines comparing with Sisimai, whose
    # "onhold"/"undefined" mean "could not tell"; people's renderers hide them.
    assert event_dict(event(reason="onhold"))["reason"] == "onhold"
    vague = summary(groups=(group(reasons={"onhold": 2, "userunknown": 1}),))
    assert summary_dict(vague)["codes"][0]["reasons"]["onhold"] == 2
