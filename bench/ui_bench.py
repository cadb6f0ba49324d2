"""UI benchmark: cold start to the attract screen, resident memory, and pass tap → greeting.

Each figure comes from a fresh process (``python bench/ui_bench.py --child NAME``) so imports, fonts
and GL set-up are paid as on a real boot.

* ``cold``: the real start-up path, ``kiosk run --windowed`` (``kiosk.cli.main``: config, assembly,
  monitoring, the Kivy app), against an ILS in another process (the SIP2 simulator on loopback, as a
  kiosk talks to a real ILS), measured when the attract screen has been drawn. Payment is switched off
  so the terminal's start-up handshake is not counted as UI start.
* ``bare``: a bare Kivy window of the same size with one label, nothing of ours imported: what Kivy,
  SDL and the GL driver take on this machine. On Mesa llvmpipe (software GL, CI and VMs) that is most
  of the total (LLVM alone maps ~60 MB), and it is not ours to shrink; a kiosk PC's GPU driver differs.
  The kiosk's own share is the difference, reported on its own line.
* ``tap``: the assembled kiosk with the embedded ILS (``sim://``) answering after 50 ms.

Goals: cold start ≤ 3 s; resident memory ≤ 150 MB; pass tap → greeting ≤ one SIP2 round trip
+ 150 ms with a 50 ms ILS.

Run: ``.venv/bin/python bench/ui_bench.py`` (prints one line per figure).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ILS_LATENCY = 0.05
TAPS = 7

CONFIG = """
[site]
languages = ["nl", "en"]
[sip2]
url = "sim://"
[devices]
pass_readers = []
printer = "fake://"
[payment]
enabled = false
[session]
pin = "never"
[store]
path = "var/kiosk.db"
key_file = "var/queue.key"
[ui]
fullscreen = false
sound_volume = 0.0
"""


ILS_USER, ILS_PASSWORD = "kiosk", "bench-only"
EXTERNAL_ILS = """
[sip2]
url = "tcp://127.0.0.1:{port}"
user = "{user}"
password = "{password}"
"""


def external_config(port: int) -> str:
    """The bench config, with the ILS at ``port`` in another process instead of ``sim://``."""
    sip2 = EXTERNAL_ILS.format(port=port, user=ILS_USER, password=ILS_PASSWORD)
    return CONFIG.replace('[sip2]\nurl = "sim://"\n', sip2.lstrip("\n"))


def headless_environment() -> None:
    """What ``kiosk.ui.screenshots.prepare_headless`` sets, without importing anything of ours."""
    for key, value in (
        ("KIVY_NO_ARGS", "1"),
        ("KIVY_NO_FILELOG", "1"),
        ("KIVY_LOG_MODE", "PYTHON"),
        ("KIVY_NO_CONSOLELOG", "1"),
        ("KIVY_WINDOW", "sdl2"),
        ("SDL_AUDIODRIVER", "dummy"),
    ):
        os.environ.setdefault(key, value)
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-kivy-"))
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")


def window_config() -> None:
    """The kiosk's window size, set before the window exists (an offscreen surface keeps its size)."""
    from kivy.config import Config

    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    Config.set("graphics", "maxfps", "0")


def memory() -> dict[str, float]:
    """RSS now, in all and split into private memory and mapped files."""
    return {"rss_mb": rss_mb(), "rss_anon_mb": rss_mb("RssAnon"), "rss_file_mb": rss_mb("RssFile")}


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process in MB (Linux /proc): ``VmRSS`` in all, ``RssAnon`` private,
    ``RssFile`` mapped files such as the GL driver's shared libraries."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start_ui(t0: float) -> tuple[Any, Any, dict[str, float]]:
    """Assemble the kiosk and show its attract screen; returns (kiosk, root, timings)."""
    sys.path.insert(0, str(ROOT))
    from kiosk.ui.screenshots import prepare_headless

    prepare_headless()
    from kivy.config import Config

    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    Config.set("graphics", "maxfps", "0")
    from kivy.base import EventLoop

    from kiosk.assembly import build_kiosk
    from kiosk.config import load_config
    from kiosk.ui.root import KioskRoot
    from kiosk.ui.settings import UiSettings

    t_imports = time.time()
    rss_imports = rss_mb()
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-ui-bench-"))
    (workdir / "config.toml").write_text(CONFIG, encoding="utf-8")
    config = load_config(workdir / "config.toml")
    kiosk = build_kiosk(config, readers=False)
    t_services = time.time()
    rss_services = rss_mb()
    EventLoop.ensure_window()
    from kivy.core.window import Window

    root = KioskRoot(kiosk.runtime, UiSettings.from_config(config, tick_interval=0.5))
    Window.add_widget(root)
    while root.current != "attract":
        EventLoop.idle()
    EventLoop.idle()  # one frame drawn with the attract screen on it
    t_attract = time.time()
    return (
        kiosk,
        root,
        {
            "imports_s": t_imports - t0,
            "services_s": t_services - t_imports,
            "attract_s": t_attract - t0,
            "rss_imports_mb": rss_imports,
            "rss_services_mb": rss_services,
        },
    )


def child_bare(t0: float) -> dict[str, Any]:
    """A bare Kivy window with one label: the Kivy + SDL + GL share of memory on this machine; with the
    kiosk's Kivy settings (``kiosk.ui.kivy_settings``), or Kivy's defaults when BENCH_KIVY_DEFAULTS=1."""
    headless_environment()
    if not os.environ.get("BENCH_KIVY_DEFAULTS"):
        sys.path.insert(0, str(ROOT))
        from kiosk.ui import kivy_settings  # the package's __init__ only: no Kivy, nothing else of ours

        kivy_settings()
    window_config()
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    from kivy.core.window import Window
    from kivy.uix.label import Label

    Window.add_widget(Label(text="Welkom"))
    for _ in range(2):
        EventLoop.idle()
    return memory()


def child_cold(t0: float) -> dict[str, Any]:
    """``kiosk run --windowed`` up to the drawn attract screen: timings and memory there."""
    headless_environment()
    window_config()
    from kivy.clock import Clock

    import kiosk.assembly
    from kiosk.cli import main as kiosk_main
    from kiosk.cli import run_cmd

    figures: dict[str, Any] = {}
    build_kiosk = kiosk.assembly.build_kiosk

    def timed_build(*args: Any, **kwargs: Any) -> Any:
        figures["imports_s"] = time.time() - t0
        figures["rss_imports_mb"] = rss_mb()
        assembled = build_kiosk(*args, **kwargs)
        figures["services_s"] = time.time() - t0 - figures["imports_s"]
        figures["rss_services_mb"] = rss_mb()
        return assembled

    frames_on_attract = 0

    def probe(_dt: float) -> bool:
        nonlocal frames_on_attract
        from kivy.app import App

        app = App.get_running_app()
        root = getattr(app, "kiosk_root", None)
        if root is None or root.current != "attract":
            return True
        frames_on_attract += 1
        if frames_on_attract < 2:  # the next frame has the attract screen on it
            return True
        from kivy.graphics.opengl import GL_RENDERER, glGetString

        figures["attract_s"] = time.time() - t0
        figures.update(memory())
        figures["screens_built"] = sorted(root.screens.built())
        figures["gl_renderer"] = glGetString(GL_RENDERER).decode(errors="replace")
        app.stop()
        return False

    kiosk.assembly.build_kiosk = timed_build  # type: ignore[assignment]
    run_cmd.has_display = lambda: True  # offscreen GL stands in for the kiosk's display
    Clock.schedule_interval(probe, 0)
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-ui-bench-"))
    (workdir / "config.toml").write_text(external_config(int(os.environ["BENCH_ILS_PORT"])), encoding="utf-8")
    status = kiosk_main(["run", "--windowed", "--config", str(workdir / "config.toml")])
    if status != 0 or "attract_s" not in figures:
        raise SystemExit(f"kiosk run ended with {status} before the attract screen")
    return figures


def child_tap(t0: float) -> dict[str, Any]:
    """Pass tap → greeting on screen, against an ILS that answers after 50 ms."""
    kiosk, root, _ = _start_ui(t0)
    from kivy.base import EventLoop

    from kiosk.core import events as ev
    from kiosk.ils_connection import client_settings
    from sip2.client import Sip2Client
    from sip2.simulator import demo

    kiosk.ils_simulator.faults.latency = ILS_LATENCY
    client = Sip2Client(client_settings(kiosk.config.sip2, _sim_address(kiosk)))
    client.connect()
    rtts = []
    for _ in range(TAPS):
        start = time.perf_counter()
        client.patron_information(demo.NORMAL)
        rtts.append(time.perf_counter() - start)
    client.close()

    def wait(predicate: Any, limit: float = 10.0) -> None:
        deadline = time.perf_counter() + limit
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("the UI did not get there")
            EventLoop.idle()

    taps = []
    for _ in range(TAPS + 1):
        start = time.perf_counter()
        kiosk.runtime.send(ev.PassPresented(demo.NORMAL))  # what the pass reader thread does
        wait(lambda: root.current == "menu" and "Hallo" in root.screens["menu"].ids.greeting.text)
        EventLoop.idle()  # the frame that shows it
        taps.append(time.perf_counter() - start)
        kiosk.runtime.send(ev.Finish())
        wait(lambda: root.current in ("goodbye", "attract", "receipt"))
        if root.current == "receipt":
            kiosk.runtime.send(ev.ReceiptChoice(False))
            wait(lambda: root.current in ("goodbye", "attract"))
        root.end_goodbye()
    taps = taps[1:]  # the first one warms up code paths
    result = {
        "rtt_ms": statistics.median(rtts) * 1000,
        "tap_ms": statistics.median(taps) * 1000,
        "tap_max_ms": max(taps) * 1000,
        "rss_mb": rss_mb(),
    }
    kiosk.stop()
    return result


def _sim_address(kiosk: Any) -> Any:
    from kiosk.ils_connection import ils_address

    address = ils_address(kiosk.config.sip2)
    return type(address)("tcp", "127.0.0.1", kiosk.ils_simulator.port)


def run_child(name: str, **env: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON."""
    child_env = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, str(t0)],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=180,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"child {name} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(lines[-1]))


def main() -> int:
    """Run the children and print the figures."""
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        children = {"bare": child_bare, "cold": child_cold, "tap": child_tap}
        result = children[sys.argv[2]](float(sys.argv[3]))
        print(json.dumps(result), flush=True)
        return 0
    sys.path.insert(0, str(ROOT))
    from sip2.simulator import IlsSimulator

    ils = IlsSimulator(port=0, users={ILS_USER: ILS_PASSWORD}, wise_sip2plus=True)
    ils.start()
    try:
        colds = [run_child("cold", BENCH_ILS_PORT=str(ils.port)) for _ in range(3)]
    finally:
        ils.stop()
    bares = [run_child("bare") for _ in range(3)]
    defaults_mb = statistics.median(run_child("bare", BENCH_KIVY_DEFAULTS="1")["rss_mb"] for _ in range(3))
    cold = min(colds, key=lambda c: c["attract_s"])
    kiosk_mb = statistics.median(c["rss_mb"] for c in colds)
    bare_mb = statistics.median(b["rss_mb"] for b in bares)
    bare = min(bares, key=lambda b: abs(b["rss_mb"] - bare_mb))
    print(
        f"ui renderer: {cold['gl_renderer']} (llvmpipe = software GL: slower frames, and LLVM plus "
        "the software rasteriser's buffers in the process, unlike a kiosk with a GPU driver)"
    )
    print(
        f"ui cold start to attract screen (kiosk run): {cold['attract_s']:.2f} s (best of 3; imports "
        f"{cold['imports_s']:.2f} s, services {cold['services_s']:.2f} s) goal <= 3 s"
    )
    print(
        f"ui resident memory after start (kiosk run, ILS in another process): {kiosk_mb:.0f} MB "
        f"(median of 3; goal <= 150 MB; {cold['rss_imports_mb']:.0f} MB after imports, "
        f"{cold['rss_services_mb']:.0f} MB with services; {cold['rss_anon_mb']:.0f} MB private, "
        f"{cold['rss_file_mb']:.0f} MB mapped files; screens built: {len(cold['screens_built'])})"
    )
    print(
        f"ui resident memory of a bare Kivy window (same Kivy, SDL, GL, 1280x800, one label, nothing of "
        f"ours): {bare_mb:.0f} MB ({bare['rss_anon_mb']:.0f} MB private, {bare['rss_file_mb']:.0f} MB "
        "mapped files): the platform's share, outside the kiosk's control; with Kivy's default settings "
        f"(MSAA x2, Pillow image loader) it would be {defaults_mb:.0f} MB"
    )
    print(
        f"ui resident memory of the kiosk above the bare window: {kiosk_mb - bare_mb:.0f} MB "
        f"(the part that is ours: code, services, screens)"
    )
    tap = run_child("tap")
    print(
        f"ui pass tap -> greeting, ILS latency {ILS_LATENCY * 1000:.0f} ms: median {tap['tap_ms']:.0f} ms, "
        f"max {tap['tap_max_ms']:.0f} ms; one SIP2 round trip {tap['rtt_ms']:.0f} ms; overhead "
        f"{tap['tap_ms'] - tap['rtt_ms']:.0f} ms (goal <= 150 ms)"
    )
    print(
        f"ui resident memory after {TAPS + 1} sessions (embedded ILS, bench harness without monitoring): "
        f"{tap['rss_mb']:.0f} MB, {tap['rss_mb'] - bare_mb:.0f} MB above the bare window"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
