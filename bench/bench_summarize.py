"""Throughput and peak memory of `smtpcode summarize` on a generated Postfix log.

    python bench/bench_summarize.py [--size 200MB] [--keep DIR] [--no-pflogsumm]

Writes a realistic Postfix log (example.com/.net/.org, documentation addresses)
of the requested size into a temporary directory, runs `smtpcode summarize` on it
in a child process, and prints MB/s, lines/s and the child's peak memory (also
for `summarize_path`, which splits a large file across CPUs). When
`pflogsumm` is on PATH it runs on the same file for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOMAINS = (
    "example.com",
    "example.net",
    "example.org",
    "mail.example.com",
    "lists.example.org",
    "shop.example.net",
)
RECEIVERS = (
    ("mx1.example.net", "198.51.100.10"),
    ("mx2.example.org", "203.0.113.20"),
    ("gmail-smtp-in.l.example.com", "192.0.2.25"),
    ("example-com.mail.protection.example.net", "198.51.100.77"),
    ("mta5.am0.example.org", "203.0.113.5"),
)
CLIENTS = (
    ("app1.example.com", "192.0.2.11"),
    ("app2.example.com", "192.0.2.12"),
    ("unknown", "203.0.113.99"),
)
# (weight, dsn, status, reply)
OUTCOMES = (
    (80, "2.0.0", "sent", "250 2.0.0 Ok: queued as {qid2}"),
    (
        6,
        "4.7.1",
        "deferred",
        "host {rhost}[{rip}] said: 450 4.7.1 <{rcpt}>: Recipient "
        "address rejected: Greylisted, try again in 300 seconds "
        "(in reply to RCPT TO command)",
    ),
    (
        4,
        "5.1.1",
        "bounced",
        "host {rhost}[{rip}] said: 550 5.1.1 <{rcpt}>: Recipient "
        "address rejected: User unknown in virtual mailbox table (in reply to RCPT TO "
        "command)",
    ),
    (
        2,
        "4.2.2",
        "deferred",
        "host {rhost}[{rip}] said: 452 4.2.2 The email account "
        "that you tried to reach is over quota (in reply to RCPT TO command)",
    ),
    (
        2,
        "5.7.26",
        "bounced",
        "host {rhost}[{rip}] said: 550-5.7.26 Unauthenticated "
        "email is not accepted from this domain. 550 5.7.26 DMARC policy check failed "
        "x12si34abc.211 - gsmtp (in reply to end of DATA command)",
    ),
    (
        2,
        "4.7.500",
        "deferred",
        "host {rhost}[{rip}] said: 451 4.7.500 Server busy. "
        "Please try again later from [192.0.2.1]. (S77719) (in reply to MAIL FROM "
        "command)",
    ),
    (2, "4.4.1", "deferred", "connect to {rhost}[{rip}]:25: Connection timed out"),
)
WEIGHTS = [w for w, *_ in OUTCOMES]


def _qid(rng: random.Random) -> str:
    """A Postfix-like queue id."""
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(10))


def _message(rng: random.Random, stamp: str, pid: int) -> list[str]:
    """The syslog lines Postfix writes for one message."""
    qid, qid2 = _qid(rng), _qid(rng)
    host, ip = rng.choice(CLIENTS)
    rhost, rip = rng.choice(RECEIVERS)
    rcpt = f"user{rng.randrange(100000)}@{rng.choice(DOMAINS)}"
    sender = f"news{rng.randrange(50)}@example.com"
    _, dsn, status, reply = rng.choices(OUTCOMES, WEIGHTS)[0]
    reply = reply.format(qid2=qid2, rhost=rhost, rip=rip, rcpt=rcpt)
    size = rng.randrange(800, 90000)
    prefix = f"{stamp} mail postfix"
    lines = [
        f"{prefix}/smtpd[{pid}]: connect from {host}[{ip}]",
        f"{prefix}/smtpd[{pid}]: {qid}: client={host}[{ip}]",
        f"{prefix}/cleanup[{pid + 1}]: {qid}: message-id=<{qid2}@example.com>",
        f"{prefix}/qmgr[811]: {qid}: from=<{sender}>, size={size}, nrcpt=1 "
        "(queue active)",
        f"{prefix}/smtp[{pid + 2}]: {qid}: to=<{rcpt}>, relay={rhost}[{rip}]:25, "
        f"delay=0.{rng.randrange(99)}, delays=0.01/0/0.1/0.2, dsn={dsn}, "
        f"status={status} ({reply})",
    ]
    if status != "deferred":
        lines.append(f"{prefix}/qmgr[811]: {qid}: removed")
    lines.append(
        f"{prefix}/smtpd[{pid}]: disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt=1 "
        "data=1 quit=1 commands=5"
    )
    if rng.random() < 0.03:
        lines.append(
            f"{prefix}/smtpd[{pid}]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: "
            "554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using "
            "zen.spamhaus.org; from=<spam@example.org> to=<info@example.com> "
            "proto=ESMTP helo=<example.org>"
        )
    return lines


def generate(path: Path, size: int, seed: int = 25) -> int:
    """Write about `size` bytes of Postfix log to `path`; return the line count."""
    rng = random.Random(seed)
    written, count, second = 0, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            second += 1
            stamp = f"Mar {1 + second // 86400 % 28:2d} " + time.strftime(
                "%H:%M:%S", time.gmtime(second)
            )
            block = "\n".join(_message(rng, stamp, 1000 + second % 30000)) + "\n"
            out.write(block)
            written += len(block)
            count += block.count("\n")
    return count


# Runs one command and prints its wall time and peak RSS. It runs in a fresh
# interpreter for every tool measured: getrusage(RUSAGE_CHILDREN) reports the
# largest child a process ever waited for, so one parent measuring several tools
# would report the biggest of them for all that follow.
_PROBE = (
    "import resource,subprocess,sys,time;s=time.perf_counter();"
    "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);"
    "e=time.perf_counter()-s;sys.stderr.buffer.write(r.stderr[-2000:]);"
    "print(e,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,r.returncode)"
)


def measure(command: list[str]) -> tuple[float, int, int]:
    """Run a command; return wall seconds, its peak RSS (KB) and its exit code.

    The peak covers the command and every process it waited for (the workers of
    summarize_path), as the kernel keeps the largest of them.
    """
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *command],
        capture_output=True,
        text=True,
        check=True,
    )
    if done.stderr:
        sys.stderr.write(done.stderr)
    seconds, peak, code = done.stdout.split()
    return float(seconds), int(peak), int(code)


def _size(text: str) -> int:
    """ "200MB", "1GB", "5000000" -> bytes."""
    units = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
    for unit, factor in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def _report(name: str, seconds: float, peak_kb: int, size: int, lines: int) -> None:
    """One result line."""
    print(
        f"{name:<20} {seconds:8.2f} s  {size / seconds / 1e6:8.1f} MB/s  "
        f"{lines / seconds:12,.0f} lines/s  peak {peak_kb / 1024:8.1f} MB"
    )


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="200MB", help="log size (default 200MB)")
    parser.add_argument("--keep", type=Path, help="write the log here and keep it")
    parser.add_argument("--no-pflogsumm", action="store_true")
    args = parser.parse_args()

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="smtpcode-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "maillog"
    try:
        lines = generate(log, _size(args.size))
        size = log.stat().st_size
        print(f"log: {size / 1e6:.1f} MB, {lines:,} lines, {os.cpu_count()} CPUs")

        # Import once first: an installed package runs from compiled bytecode, so
        # the timings below should not include compiling it (when bytecode may be
        # written at all: PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX).
        subprocess.run([sys.executable, "-c", "import bot.cli, bot.logs.reader"])

        ours = [sys.executable, "-m", "bot.cli", "summarize", str(log)]
        seconds, peak, code = measure(ours)
        if code == 0:
            _report("smtpcode summarize", seconds, peak, size, lines)
        else:
            print(f"smtpcode summarize failed with exit code {code}")

        # The same work split across processes (bot.logs.reader.summarize_path),
        # for comparison with the single-pass command line above.
        split = (
            "import sys;from bot.logs.reader import summarize_path as s;s(sys.argv[1])"
        )
        seconds, peak, code = measure([sys.executable, "-c", split, str(log)])
        if code == 0:
            _report("summarize_path (-j)", seconds, peak, size, lines)
        else:
            print(f"summarize_path failed with exit code {code}")

        pflogsumm = shutil.which("pflogsumm")
        if pflogsumm and not args.no_pflogsumm:
            seconds, peak, code = measure([pflogsumm, str(log)])
            if code == 0:
                _report("pflogsumm", seconds, peak, size, lines)
            else:
                print(f"pflogsumm failed with exit code {code}")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
