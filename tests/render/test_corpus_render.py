"""Every sample log in the shared corpus renders within Slack's limits and 88 wide."""

from __future__ import annotations

import json

import pytest

from bot.knowledge.errors import InputError
from bot.logs.reader import summarize
from bot.logs.source import open_lines
from bot.render.blocks import check_blocks, summary_blocks
from bot.render.jsonout import summary_dict
from bot.render.text import WIDTH, summary_text
from tests.corpus import corpus_path

FAMILIES = [
    "postfix",
    "exim",
    "sendmail",
    "qmail",
    "bounces_dsn",
    "esp_events",
    "plex_and_other",
    "smtp_transcripts",
]


@pytest.mark.corpus
@pytest.mark.parametrize("family", FAMILIES)
def test_corpus_summaries_render_valid_blocks_and_narrow_text(family: str) -> None:
    files = [p for p in sorted(corpus_path(family).rglob("*")) if p.is_file()]
    rendered = 0
    for path in files:
        try:
            summary = summarize(open_lines(path, name=path.name))
        except InputError:
            continue  # binary or empty samples are the source's business
        blocks = summary_blocks(summary, title=path.name)
        assert check_blocks(blocks) == [], path
        assert all(len(x) <= WIDTH for x in summary_text(summary).splitlines()), path
        as_json = summary_dict(summary)
        assert json.loads(json.dumps(as_json)) == as_json, path
        rendered += 1
    assert rendered > 0
