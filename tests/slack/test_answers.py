"""Kept summaries and their Share button, without Slack in the way."""

from __future__ import annotations

from bot.render import words
from bot.slack.answers import Answer, kept_summary, mask_blocks, with_share_button
from bot.slack.kept import MemoryKept


def card(text: str) -> list[dict]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]},
    ]


def test_mask_blocks_masks_every_text_and_nothing_else() -> None:
    blocks = card("to=<jane.doe@example.com> said 550")
    blocks.append({"type": "actions", "block_id": "x@example.com", "elements": []})

    masked = mask_blocks(blocks)

    assert "jane.doe" not in str(masked[:2])
    assert masked[0]["text"]["text"] == "to=<j***@example.com> said 550"
    assert masked[1]["elements"][0]["text"] == "to=<j***@example.com> said 550"
    assert masked[2]["block_id"] == "x@example.com"
    assert blocks[0]["text"]["text"] == "to=<jane.doe@example.com> said 550"


def test_share_button_names_a_kept_masked_copy_of_the_summary() -> None:
    kept = MemoryKept()
    answer = Answer(card("bob@example.org bounced"), "verdict", shareable=True)

    shared = with_share_button(answer, kept)
    (button,) = shared.blocks[-1]["elements"]
    again = kept_summary(kept, button["value"])

    assert button["action_id"] == words.SHARE_SUMMARY_ACTION_ID
    assert again is not None
    assert again.text == "verdict"
    assert again.blocks == mask_blocks(answer.blocks)
    assert "bob@" not in str(again.blocks)


def test_summary_that_cannot_be_kept_goes_out_without_a_button() -> None:
    class Full(MemoryKept):
        def keep(self, value: str) -> str | None:
            return None

    answer = Answer(card("550"), "verdict", shareable=True)

    assert with_share_button(answer, Full()) == answer
    assert kept_summary(Full(), "") is None
