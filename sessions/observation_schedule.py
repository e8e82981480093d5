"""When the next observation is due (domain.md §2, §3, §7.2).

- An entry every `clinic.observation_interval_minutes` (default 15: "every 15 min afterwards", Emory,
  684 infusions [S82]), counted from the dose: due at dose + 15, + 30, + 45 … An entry within half an
  interval of one of those times counts for it, so an early or late check doesn't bring the next one
  forward.
- A blood pressure at about 40 minutes after the dose, when ketamine's rise in BP peaks [S49,S50,S51];
  a BP taken 30–50 minutes after the dose counts (±10 min, the app's reading of "about").

`next_check(session, observations, now)` answers for the session page, the board and the form.
"""

import datetime
import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .pipeline import IN_CLINIC

DEFAULT_INTERVAL_MINUTES = 15  # [S82]
BP_AT_MINUTES = 40  # [S49,S50]
BP_WINDOW_MINUTES = 10  # ± around BP_AT_MINUTES
SOURCES = {"interval": "[S82]", "bp40": "[S49,S50,S51]"}

BP_LABELS = {
    "upcoming": _("BP due at about 40 minutes after the dose"),
    "due": _("BP due now (about 40 minutes after the dose)"),
    "done": _("40-minute BP taken"),
    "missing": _("40-minute BP missing"),
}


@dataclass(frozen=True)
class Bp40:
    status: str  # upcoming | due | done | missing
    due_at: datetime.datetime
    window_start: datetime.datetime
    window_end: datetime.datetime
    entry: object | None = None  # the entry that took it

    @property
    def label(self) -> str:
        return str(BP_LABELS[self.status])

    @property
    def outstanding(self) -> bool:
        """Still to do (due now or missed): the prompt asks for a BP."""
        return self.status in ("due", "missing")


@dataclass(frozen=True)
class NextCheck:
    active: bool  # the session takes entries now (checked in, dosing, observing; not signed)
    dosed_at: datetime.datetime | None
    interval_minutes: int
    now: datetime.datetime
    last_at: datetime.datetime | None = None  # the latest entry's time
    due_at: datetime.datetime | None = None  # None before the dose or once the session has ended
    bp40: Bp40 | None = None

    @property
    def dosed(self) -> bool:
        return self.dosed_at is not None

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.now > self.due_at

    @property
    def minutes_to_due(self) -> int | None:
        """Whole minutes until the next entry is due (negative when overdue)."""
        if self.due_at is None:
            return None
        seconds = (self.due_at - self.now).total_seconds()
        # a countdown rounds up ("in 10 min" until it is 9); lateness rounds down ("overdue 4 min" until 5)
        return math.ceil(seconds / 60) if seconds >= 0 else -math.floor(-seconds / 60)

    @property
    def minutes_overdue(self) -> int | None:
        return -self.minutes_to_due if self.overdue else None

    @property
    def minutes_since_dose(self) -> int | None:
        return _minutes(self.now - self.dosed_at) if self.dosed_at else None

    @property
    def needs_bp(self) -> bool:
        """The next entry should include a BP (the 40-minute one)."""
        return self.bp40 is not None and self.bp40.status in ("due", "missing")


def _minutes(delta: datetime.timedelta) -> int:
    """Whole minutes elapsed (rounded down)."""
    return math.floor(delta.total_seconds() / 60)


def interval_minutes(session) -> int:
    return session.patient.clinic.observation_interval_minutes or DEFAULT_INTERVAL_MINUTES


def bp40_status(dosed_at, observations, now) -> Bp40:
    due = dosed_at + datetime.timedelta(minutes=BP_AT_MINUTES)
    window = datetime.timedelta(minutes=BP_WINDOW_MINUTES)
    start, end = due - window, due + window
    taken = next((e for e in observations if e.systolic is not None and start <= e.observed_at <= end), None)
    if taken is not None:
        status = "done"
    elif now < start:
        status = "upcoming"
    elif now <= end:
        status = "due"
    else:
        status = "missing"
    return Bp40(status=status, due_at=due, window_start=start, window_end=end, entry=taken)


def next_check(session, observations, now: datetime.datetime) -> NextCheck:
    """When the session's next entry is due, whether it is overdue, and where the 40-minute BP stands.

    `observations` are the session's entries (any order; e.g. prefetched). Before the dose there is no
    schedule yet (entries are welcome, nothing is due); once the session is discharged or signed,
    nothing is due any more.
    """
    entries = sorted(observations, key=lambda e: (e.observed_at, e.pk or 0))
    interval = interval_minutes(session)
    active = session.status in IN_CLINIC and not session.is_signed
    dosed_at = session.dosed_at
    base = NextCheck(
        active=active,
        dosed_at=dosed_at,
        interval_minutes=interval,
        now=now,
        last_at=entries[-1].observed_at if entries else None,
    )
    if dosed_at is None or not active:
        return base
    step = datetime.timedelta(minutes=interval)
    after_dose = [e for e in entries if e.observed_at >= dosed_at]
    if after_dose:
        # the slot the latest entry counts for (nearest multiple of the interval), then the next one
        elapsed = after_dose[-1].observed_at - dosed_at
        slot = int(elapsed / step + 0.5)
        due = dosed_at + (slot + 1) * step
    else:
        due = dosed_at + step
    bp40 = bp40_status(dosed_at, after_dose, now)
    # the 40-minute BP brings the next check forward, unless an entry came after it was due (then the
    # prompt asks for the BP, and the schedule goes on from that entry)
    last = after_dose[-1].observed_at if after_dose else None
    if bp40.status in ("upcoming", "due") and bp40.due_at < due and (last is None or last < bp40.due_at):
        due = bp40.due_at
    return NextCheck(
        active=True, dosed_at=dosed_at, interval_minutes=interval, now=now, last_at=base.last_at, due_at=due, bp40=bp40
    )
