"""What ``kiosk config check`` shows beyond the plain sections: the service hours (``[schedule]``,
``[modes.*]``) as plain data, and warnings about settings that still work but should change."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from kiosk.config_schema import KioskConfig
from kiosk.core.schedule import DayPlan, Staffing
from kiosk.core.service_hours import DAYS, ModePolicy, ServiceHours


def hours_as_dict(hours: ServiceHours, configured: bool = True) -> dict[str, Any]:
    """``{"schedule": {...}, "modes": {...}}`` in the shape of the TOML tables (periods as
    ``"HH:MM-HH:MM mode"``); without a configured ``[schedule]`` the schedule says so."""
    s = hours.schedule
    schedule: dict[str, Any] = {"configured": configured}
    if configured:
        schedule.update(
            timezone=str(getattr(s.timezone, "key", s.timezone)),
            closing_warning_minutes=hours.closing_warning_minutes,
            last_session_minutes=s.last_session_minutes,
            **{day: _periods(plan) for day, plan in zip(DAYS, s.week, strict=True)},
            exceptions=[
                {
                    "date": e.first.isoformat(),
                    "until": e.last.isoformat(),
                    "name": e.name,
                    "hours": _periods(e.plan),
                }
                for e in s.exceptions
            ],
        )
    else:
        schedule["note"] = "no [schedule]: staffed around the clock"
    modes = {mode.value: _policy(hours.policy(mode)) for mode in (Staffing.STAFFED, Staffing.UNSTAFFED)}
    return {"schedule": schedule, "modes": modes}


def config_warnings(config: KioskConfig) -> list[str]:
    """Settings that work but are deprecated or have no effect (printed by ``kiosk config check``)."""
    warnings: list[str] = []
    configured = getattr(config, "hours_configured", False)
    if config.site.opening_hours and configured:
        warnings.append(
            f"{config.source}: [site] opening_hours is deprecated and ignored: the start screen shows "
            "today's hours from [schedule]; remove opening_hours (docs/unstaffed.md)"
        )
    elif config.site.opening_hours:
        warnings.append(
            f"{config.source}: [site] opening_hours is deprecated: describe the hours in [schedule] "
            "(docs/unstaffed.md); until then opening_hours is only shown on the start screen and the "
            "kiosk is staffed around the clock"
        )
    return warnings


def _periods(plan: DayPlan) -> list[str]:
    return [str(p) for p in plan.periods]


def _policy(policy: ModePolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(policy):
        value = getattr(policy, f.name)
        out[f.name] = dict(value) if f.name == "desk_texts" else value
    return out
