"""The smtpcode command, in-process through main() and once as a real process."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.cli import main
from tests.corpus import corpus_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTFIX = FIXTURES / "cli_postfix.log"
REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# --- Usage ---------------------------------------------------------------------


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"smtpcode {__version__}"


def test_help_explains_all_three_commands(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for needle in (
        "smtpcode CODE",
        "smtpcode list",
        "smtpcode summarize",
        "--json",
        "exit status",
    ):
        assert needle in out


def test_summarize_help_mentions_stdin_and_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "summarize", "--help")
    assert status == 0
    assert "standard input" in out and "--events" in out


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)
    assert status == 2
    assert out == ""
    assert "smtpcode 451" in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "451", "--bogus")
    assert status == 2
    assert "unrecognized arguments" in err


def test_json_and_events_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, _ = run(capsys, "summarize", "--json", "--events", str(POSTFIX))
    assert status == 2


# --- Explain and list ----------------------------------------------------------


def test_explains_one_code_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "451")
    assert status == 0
    assert err == ""
    assert out.startswith("451 · transient failure")
    assert (
        "Embedded table (SMTP server): The command was aborted due to a server error."
        in out
    )


def test_explains_several_codes_and_a_pasted_reply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "host mx.example.net said: 452 4.2.2 mailbox full")
    assert status == 0
    assert "452" in out and "4.2.2" in out

    status, out, _ = run(capsys, "9009", "221")
    assert status == 0
    assert "Embedded table (Plex): Failed to log into the specified SMTP server." in out
    assert "221 ·" in out


def test_json_is_an_array_with_one_object_per_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "451", "550", "--json")
    assert status == 0
    data = json.loads(out)
    assert [d["code"] for d in data] == ["451", "550"]
    assert data[0]["class"] == "transient failure"
    assert (
        data[1]["table"]["description"] == "The user does not have permission to send."
    )


@pytest.mark.parametrize("bad", ["abc", "99999", "4.7"])
def test_bad_query_says_what_to_type_without_a_traceback(
    capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    status, out, err = run(capsys, bad)
    assert status == 1
    assert out == ""
    assert "Traceback" not in err
    assert "Try a reply code such as 451" in err


def test_json_problems_go_to_stderr_and_stdout_stays_valid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "--json", "abc")
    assert status == 1
    assert json.loads(out) == []
    assert "Try a reply code" in err


def test_list_prints_all_28_table_rows(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "TYPE", "DESCRIPTION"]
    rows = [line for line in lines[1:] if not line.startswith(" ")]
    assert len(rows) == 28
    assert rows[1].split()[:3] == ["0", "SMTP", "Server"]
    assert all(len(line) <= 88 for line in lines)


def test_list_json_matches_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert status == 0
    assert len(rows) == 28
    assert rows[-1]["code"] == "9999"
    assert rows[-1]["type"] == "Plex"
    assert rows[-1]["description"].startswith("The server did not recognize")


# --- Summarize -----------------------------------------------------------------


def test_summarize_a_file_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "summarize", str(POSTFIX))
    assert status == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Verdict:")
    rows = [line.split() for line in lines if line[:4].strip() in ("550", "451", "250")]
    assert [(r[0], r[1]) for r in rows] == [("550", "2"), ("451", "2"), ("250", "1")]
    assert "6 lines read" in out and "5 events found" in out


def test_summarize_json_has_codes_counts_and_enhanced_maps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "summarize", "--json", str(POSTFIX))
    data = json.loads(out)
    assert status == 0
    assert data["lines_read"] == 6 and data["events"] == 5
    codes = {c["code"]: c for c in data["codes"]}
    assert codes["550"]["count"] == 2
    assert codes["550"]["enhanced"] == {"5.1.1": 2}
    assert codes["451"]["class"] == "transient failure"
    assert codes["550"]["domains"] == {"example.com": 2}


def test_summarize_events_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "summarize", "--events", str(POSTFIX))
    events = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [(e["line"], e["code"], e["enhanced"]) for e in events] == [
        (1, "550", "5.1.1"),
        (2, "550", "5.1.1"),
        (3, "451", "4.7.1"),
        (4, "451", "4.7.1"),
        (5, "250", "2.0.0"),
    ]
    assert events[2]["recipient_domain"] == "example.net"
    assert events[0]["status"] == "bounced"


def test_summarize_reads_gzip_the_same_as_plain(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    packed = tmp_path / "maillog.gz"
    packed.write_bytes(gzip.compress(POSTFIX.read_bytes()))
    _, plain, _ = run(capsys, "summarize", "--json", str(POSTFIX))
    status, zipped, _ = run(capsys, "summarize", "--json", str(packed))
    assert status == 0
    assert json.loads(zipped)["codes"] == json.loads(plain)["codes"]


@pytest.mark.parametrize("argv", [["summarize"], ["summarize", "-"]])
def test_summarize_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    feed_stdin(monkeypatch, POSTFIX.read_bytes())
    status, out, _ = run(capsys, *argv, "--json")
    assert status == 0
    assert json.loads(out)["events"] == 5


def test_summarize_two_files_marks_events_with_their_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "summarize", "--events", str(POSTFIX), str(POSTFIX))
    events = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert len(events) == 10
    assert {e["file"] for e in events} == {str(POSTFIX)}
    assert events[5]["line"] == 1


def test_summarize_missing_file_is_a_short_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "summarize", str(tmp_path / "nope.log"))
    assert status == 1
    assert out == ""
    assert "nope.log" in err and "Traceback" not in err


def test_summarize_binary_file_is_refused_with_what_to_send(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blob = tmp_path / "image.bin"
    blob.write_bytes(bytes(range(256)) * 64)
    status, _, err = run(capsys, "summarize", str(blob))
    assert status == 1
    assert "image.bin" in err and "plain text" in err


def test_summarize_text_without_codes_exits_1_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing to see here\njust words\n")
    status, out, _ = run(capsys, "summarize", str(notes))
    assert status == 1
    assert "found no SMTP reply codes" in out


class FakeTerminal(io.StringIO):
    """A stderr that claims to be a terminal, to switch the progress bar on."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_never_on_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cli.PROGRESS_MIN_BYTES", 1)
    run(capsys, "summarize", "--json", str(POSTFIX))
    assert capsys.readouterr().err == ""

    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    status = main(["summarize", "--json", str(POSTFIX)])
    out = capsys.readouterr().out
    assert status == 0
    assert json.loads(out)["events"] == 5
    assert "cli_postfix.log" in terminal.getvalue()


def test_small_input_gets_no_progress_bar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["summarize", str(POSTFIX)]) == 0
    assert terminal.getvalue() == ""


# --- As a real process ---------------------------------------------------------


def test_lookup_as_a_process_never_loads_slack_or_the_log_reader() -> None:
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "status = main(['451'])\n"
        "loaded = [m for m in sys.modules if 'slack' in m or m.startswith('bot.logs')"
        " or m == 'tqdm']\n"
        "print('LOADED', loaded, status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "LOADED [] 0"


def test_module_entry_point_summarizes_a_piped_log() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "summarize", "--json"],
        cwd=REPO,
        input=POSTFIX.read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["events"] == 5
    assert done.stderr == b""


def test_summary_of_several_files_counts_what_events_finds_in_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A feedback report left open at the end of one file once swallowed the next
    # file, so the summary of these two found no reply at all.
    files = (
        str(corpus_path("bounces_dsn", "sisimai", "bsd", "arf-16.eml")),
        str(corpus_path("bounces_dsn", "sisimai", "bsd", "lhost-amavis-03.eml")),
        str(POSTFIX),
    )
    per_file = 0
    for name in files:
        status, out, _ = run(capsys, "summarize", "--events", name)
        assert status == 0
        per_file += len(out.splitlines())

    status, out, _ = run(capsys, "summarize", "--json", *files)

    assert status == 0
    assert json.loads(out)["events"] == per_file


def test_summarize_sample_runs_on_the_log_shipped_in_the_package(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "summarize", "--sample", "--json")
    summary = json.loads(out)
    assert status == 0
    assert summary["formats"] == {"postfix": summary["lines_read"]}
    assert {"250", "550"} <= {code["code"] for code in summary["codes"]}


def test_events_piped_into_head_exits_zero_without_a_traceback() -> None:
    # `smtpcode summarize --events | head -3` used to exit 1, breaking pipefail.
    big = POSTFIX.read_text() * 2000
    script = (
        "set -o pipefail; "
        f"'{sys.executable}' -m bot.cli summarize --events - | head -n 1 > /dev/null"
    )
    done = subprocess.run(
        ["bash", "-c", script],
        input=big.encode(),
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
