"""The centre's notion of "now". Tests and as_of parameters pin it through set_today()."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

CENTRE_TZ = ZoneInfo("Asia/Shanghai")
_pinned: date | None = None


def utcnow() -> datetime:
    """Timestamps are stored as naive UTC (portable across SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso_utc(moment: datetime | None) -> str | None:
    """A stored (naive UTC) timestamp in ISO 8601 with its offset, as the API gives it."""
    return moment.replace(tzinfo=timezone.utc).isoformat() if moment else None


def now() -> datetime:
    return datetime.now(CENTRE_TZ)


def today() -> date:
    return _pinned or now().date()


def set_today(value: date | None) -> None:
    """Pin today's date (tests, demo generation for a past date); None unpins."""
    global _pinned
    _pinned = value
