"""Wall-clock time and technicians' staffing overrides for the core (issue 17, Open+).

The core has no clock: :class:`ServiceClock` posts a :class:`~kiosk.core.events.WallClock` every few
seconds (and one at once, before any member can act), and hands it the technician's overrides:

* ``kiosk maintenance mode staffed|unstaffed|closed [--until …]`` writes :data:`REQUEST_FILE` into the
  state directory (the running kiosk picks it up on its next pass; a kiosk that is off, at its start);
* the override in force is kept in :data:`OVERRIDE_FILE` (written atomically, then the request is
  removed), so a kiosk the Open+ controller switches off and on — or one killed at the very moment of
  the switch — starts in the right mode: the kept override, or the request again, and the schedule.

Staffing itself is never kept: it follows from the schedule and the time at every start.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.core import events as ev
from kiosk.core.schedule import Override, Schedule, local_instant
from kiosk.core.service import Staffing

log = logging.getLogger(__name__)

OVERRIDE_FILE = "staffing-override.json"
REQUEST_FILE = "staffing-request.json"


def now_utc() -> datetime:
    """The wall-clock time, aware, in UTC."""
    return datetime.now(UTC)


def until_from_text(text: str, schedule: Schedule, now: datetime) -> datetime:
    """``--until``: ``HH:MM`` (the next such local time), an ISO date-time (local when without an
    offset), or "" (the schedule's next change; 12 hours when it never changes). Raises ValueError."""
    if not text:
        change = schedule.next_change(now)
        return change.at if change is not None else now + timedelta(hours=12)
    zone = schedule.timezone
    if len(text) <= 5 and ":" in text:
        hours, minutes = (int(part) for part in text.split(":"))
        if not 0 <= hours < 24 or not 0 <= minutes < 60:
            raise ValueError(f"expected HH:MM, got {text!r}")
        local = now.astimezone(zone)
        moment = local_instant(zone, local.date(), hours * 60 + minutes)
        return (
            moment
            if moment > now
            else local_instant(zone, local.date() + timedelta(days=1), hours * 60 + minutes)
        )
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment <= now:
        raise ValueError(f"{text} is already past")
    return moment


def write_request(state_dir: Path, data: dict[str, str]) -> Path:
    """Leave a staffing request for the kiosk (``{"mode", "start", "until", "reason"}`` or
    ``{"clear": "1"}``), atomically. Returns the file written."""
    path = state_dir / REQUEST_FILE
    _write_atomically(path, data)
    return path


def _write_atomically(path: Path, data: dict[str, str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="ascii") as out:
        json.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class ServiceClock:
    """Posts wall-clock time and staffing overrides to the runtime; keeps the override on disk."""

    def __init__(
        self, runtime: Any, state_dir: Path, clock: Callable[[], datetime] = now_utc, interval: float = 2.0
    ) -> None:
        """``runtime`` needs ``send`` and ``subscribe``; ``clock`` returns an aware datetime."""
        self.runtime = runtime
        self.state_dir = state_dir
        self.clock = clock
        self.interval = interval
        self._kept: dict[str, str] | None = None
        self._request_seen: dict[str, str] | None = None
        self._stop = threading.Event()
        runtime.subscribe(self._remember)

    def restore(self) -> None:
        """At start: the kept override (if any, and unexpired), then the time now."""
        path = self.state_dir / OVERRIDE_FILE
        try:
            data = json.loads(path.read_text(encoding="ascii"))
            override = Override.from_dict(data)
            self._kept = override.as_dict()
            self.runtime.send(
                ev.StaffingOverride(override.mode, override.start, override.until, override.reason)
            )
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("%s is unreadable; following the schedule", path)
        self.poll()

    def poll(self) -> None:
        """One pass: a technician's request, if one is waiting, then the time now."""
        now = self.clock()
        request = self._read_request()
        if request is not None and request != self._request_seen:
            self._request_seen = request
            if request.get("clear"):
                self.runtime.send(ev.StaffingOverrideCleared(now))
            else:
                try:
                    start = datetime.fromisoformat(request["start"]) if request.get("start") else now
                    wanted = Override(
                        Staffing(request["mode"]),
                        start,
                        datetime.fromisoformat(request["until"]),
                        request.get("reason", ""),
                    )
                    if wanted.until <= now:
                        raise ValueError("already over")
                except (KeyError, ValueError, TypeError):
                    log.warning("staffing request %s refused: %r", REQUEST_FILE, request)
                    self._drop_request()
                    self._request_seen = None
                else:
                    self.runtime.send(
                        ev.StaffingOverride(wanted.mode, wanted.start, wanted.until, wanted.reason)
                    )
        self.runtime.send(ev.WallClock(now))

    def start(self) -> None:
        """Poll every ``interval`` seconds on a daemon thread until :meth:`stop`."""

        def run() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.poll()
                except Exception:  # the clock must keep ticking
                    log.exception("service clock pass failed")

        threading.Thread(target=run, name="kiosk-service-clock", daemon=True).start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()

    # -- internals ------------------------------------------------------------------------------------

    def _read_request(self) -> dict[str, str] | None:
        try:
            data = json.loads((self.state_dir / REQUEST_FILE).read_text(encoding="ascii"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.warning("%s is unreadable; ignored", self.state_dir / REQUEST_FILE)
            self._drop_request()
            return None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None

    def _drop_request(self) -> None:
        try:
            (self.state_dir / REQUEST_FILE).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.error("cannot remove %s: %s", REQUEST_FILE, exc.strerror)

    def _remember(self, view: Any) -> None:
        """After every view change: keep the override in force; then the request is done with."""
        override = view.service.override
        kept = override.as_dict() if override is not None else None
        path = self.state_dir / OVERRIDE_FILE
        try:
            if kept != self._kept:
                if kept is None:
                    path.unlink(missing_ok=True)
                else:
                    _write_atomically(path, kept)
                self._kept = kept
            if self._request_seen is not None and _applied(self._request_seen, override):
                self._drop_request()  # applied and kept: the request is done with
                self._request_seen = None
        except OSError as exc:
            log.error("cannot keep the staffing override in %s: %s", path, exc.strerror)


def _applied(request: dict[str, str], override: Override | None) -> bool:
    """True when the core's override is what ``request`` asked for."""
    if request.get("clear"):
        return override is None
    if override is None:
        return False
    try:
        until = datetime.fromisoformat(request["until"])
    except (KeyError, ValueError):
        return True
    return override.mode.value == request.get("mode") and override.until == until
