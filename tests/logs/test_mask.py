"""Address masking in example lines keeps the log's key and hides the local part."""

from bot.logs.mask import mask_addresses


def test_postfix_key_before_a_bare_address_is_kept_and_only_the_local_part_hidden():
    # "to=ann@example.com" once became "t***@example.com": the key was eaten.
    assert mask_addresses("to=ann@example.com, relay=") == "to=a***@example.com, relay="
    assert mask_addresses("orig_to=bob@example.org") == "orig_to=b***@example.org"
    assert mask_addresses("from=x.y+z@example.com") == "from=x***@example.com"
