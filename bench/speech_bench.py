"""Speech benchmark: screen change → first audio sample, and resident memory with speech on.

* ``floor``: espeak-ng's own start-up — spawn ``espeak-ng -v nl --stdout``, give it a one-character
  utterance on stdin, time to the first non-silent sample on its stdout. No code of ours.
* ``screen``: the kiosk's path — build the borrowing screen's utterances from the catalogs
  (:func:`kiosk.speech_script.utterances`), ``say(..., interrupt=True)`` on the espeak-ng backend
  (queue, worker thread, subprocess, text on stdin), time to the first non-silent sample that backend
  hands to its audio sink. Measured twice: with the output idle, and interrupting speech in progress
  (the usual case: the member acts while the previous screen is still being read).
* memory: this process's resident set before speech is imported and after speaking (VmRSS), and an
  espeak-ng process's own peak resident set (VmHWM) while it speaks (one runs per utterance).

Goal: screen change → first sample ≤ 300 ms on this machine. Figures are medians of ROUNDS, with the
ratio to the floor measured in the same run.

Run: ``.venv/bin/python bench/speech_bench.py``.
"""

from __future__ import annotations

import array
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROUNDS = 15
GOAL_MS = 300.0
SILENCE = 64  # |sample| below this counts as silence (16-bit)
HEADER = 44  # espeak-ng's WAV header on --stdout


def rss_kib(pid: str = "self", field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def espeak_peak_kib(program: str) -> int:
    """espeak-ng's own peak resident set (VmHWM) once it is producing audio for a long text.

    (``ru_maxrss`` of children would report the forked copy of this process before ``exec``.)"""
    proc = subprocess.Popen(
        [program, "-v", "nl", "--stdout", "--stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(" ".join(["Een lange zin om voor te lezen."] * 50).encode())
    proc.stdin.close()
    proc.stdout.read(200_000)  # well into the speech
    peak = rss_kib(str(proc.pid), "VmHWM")
    proc.kill()
    proc.wait()
    return peak


def first_loud(data: bytes, offset: int) -> bool:
    """True when a non-silent 16-bit sample lies in ``data`` after ``offset`` bytes of header."""
    body = data[offset:]
    body = body[: len(body) - len(body) % 2]
    return any(abs(s) >= SILENCE for s in array.array("h", body))


def floor_once(program: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [program, "-v", "nl", "--stdout", "--stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"a")
    proc.stdin.close()
    seen = b""
    elapsed = float("nan")
    while chunk := proc.stdout.read1(4096):
        seen += chunk
        if first_loud(seen, HEADER):
            elapsed = time.perf_counter() - start
            break
    proc.kill()
    proc.wait()
    return elapsed


class Probe:
    """An audio sink that notes when the first loud sample of the next utterance arrives."""

    def __init__(self) -> None:
        self.armed = False
        self.buffer = b""
        self.hit = threading.Event()
        self.at = 0.0

    def arm(self) -> None:
        self.armed, self.buffer = True, b""
        self.hit.clear()

    def __call__(self, channel: object, chunk: bytes) -> None:
        if not self.armed or self.hit.is_set():
            return
        if not self.buffer and not chunk.startswith(b"RIFF"):
            return  # the tail of the utterance that was cut off
        self.buffer += chunk
        if first_loud(self.buffer, HEADER):
            self.at = time.perf_counter()
            self.hit.set()


def main() -> int:
    program = shutil.which("espeak-ng")
    if program is None:
        print("speech_bench: espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 2
    before = rss_kib()
    from decimal import Decimal

    from drivers.speech import Channel, SpeechText, open_speech
    from kiosk.speech_script import AmountLine, Prompt, ResultLine, ScreenSpeech, utterances

    probe = Probe()
    out = open_speech("espeak-ng://?voice=nl&rate=160", audio_sink=probe)
    screen = ScreenSpeech(
        "borrowing",
        "borrow.title",
        lines=(
            ResultLine("line.loan_done", "De avonden", "2026-12-29"),
            ResultLine("line.loan_done", "Het diner", "2026-12-29"),
        ),
        amounts=(AmountLine("account.fee_total", Decimal("1.20")),),
        prompts=(Prompt("borrow.prompt"),),
    )
    long_text = SpeechText.public(" ".join(["Dit is de vorige pagina die nog wordt voorgelezen."] * 30))

    def screen_change() -> float:
        probe.arm()
        start = time.perf_counter()
        out.say(utterances(screen, "nl", Channel.HEADSET), channel=Channel.HEADSET, interrupt=True)
        if not probe.hit.wait(30):
            raise SystemExit("speech_bench: no audio within 30 s")
        return probe.at - start

    floor_once(program)  # warm the page cache
    floors, idle, interrupting = [], [], []
    for _ in range(ROUNDS):
        floors.append(floor_once(program))
        out.stop()
        out.wait_idle(30)
        idle.append(screen_change())
        out.stop()
        out.wait_idle(30)
        probe.arm()
        out.say(long_text, interrupt=True)
        probe.hit.wait(30)
        interrupting.append(screen_change())
    out.stop()
    out.wait_idle(30)
    after = rss_kib()
    out.close()
    child_peak = espeak_peak_kib(program)

    floor_ms = statistics.median(floors) * 1000
    print(f"speech_bench: {ROUNDS} rounds, espeak-ng voice nl, first sample = first |s| >= {SILENCE}")
    print(
        f"  floor (espeak-ng start-up, 1-char utterance): median {floor_ms:.1f} ms "
        f"(range {min(floors) * 1000:.1f}-{max(floors) * 1000:.1f})"
    )
    for name, values in (("screen change, output idle", idle), ("screen change, interrupting", interrupting)):
        median = statistics.median(values) * 1000
        verdict = "met" if median <= GOAL_MS else "MISSED"
        print(
            f"  {name}: median {median:.1f} ms (range {min(values) * 1000:.1f}-{max(values) * 1000:.1f}), "
            f"{median / floor_ms:.2f}x floor; goal <= {GOAL_MS:.0f} ms: {verdict}"
        )
    print(
        f"  resident memory: this process {before / 1024:.1f} MB before speech, {after / 1024:.1f} MB with "
        f"speech on (+{(after - before) / 1024:.1f} MB); espeak-ng child peak {child_peak / 1024:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
