"""The README's start commands are the ones CI runs, and it holds no placeholders."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def start_commands() -> list[str]:
    """The commands of the README's first code block."""
    block = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert block is not None, "the README has no sh code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands_install_and_run_then_test() -> None:
    first, second = start_commands()
    assert "pip install ." in first and "smtpcode summarize --sample" in first
    assert "'.[test]'" in second and "pytest" in second


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, second = start_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert second in ci


def test_readme_has_no_placeholder_left() -> None:
    assert not re.search(r"\b[A-Z]+-(?:FIGURES|WORDING)\b", README)
    assert "TODO" not in README
