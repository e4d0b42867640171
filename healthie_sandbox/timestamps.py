"""Healthie's timestamp styles, rendered fast, and the parsers for date/instant arguments.

Healthie returns timestamps as strings in several styles depending on the field and its age:
Rails' `2020-05-08 21:00:00 UTC`, the same with a numeric offset (`2022-08-03 09:55:55 -0400`) and
ISO 8601 (`2022-08-03T09:55:55Z`, `2022-08-03T09:55:55-04:00`). The sandbox reproduces the mix so a
client that compares timestamps as text, or parses only one style, fails here as it would there.
Every stored row also keeps the instant as integer epoch seconds: that, never the text, is what
filters and sort orders use.

Rendering runs millions of times while seeding, so it uses `time.gmtime` and f-strings rather than
`datetime`/`zoneinfo` (about five times faster); offsets come from a small table of zones with a
simple northern-hemisphere DST rule, which is all the realism the data needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import IntEnum

DAY = 86_400


class Style(IntEnum):
    """The four shapes a Healthie timestamp string comes in."""

    RAILS_UTC = 0
    RAILS_OFFSET = 1
    ISO_Z = 2
    ISO_OFFSET = 3


@dataclass(frozen=True)
class Zone:
    """A provider's or patient's time zone: IANA name, standard offset (minutes), abbreviations."""

    name: str
    std_offset: int
    std_abbr: str
    dst_abbr: str | None = None

    def offset_at(self, epoch: int) -> int:
        """UTC offset in minutes at `epoch` (DST from March to October, a good-enough rule)."""
        if self.dst_abbr is None:
            return self.std_offset
        return self.std_offset + 60 if _day(epoch // DAY)[1] else self.std_offset

    def abbr_at(self, epoch: int) -> str:
        if self.dst_abbr is None:
            return self.std_abbr
        return self.dst_abbr if _day(epoch // DAY)[1] else self.std_abbr


ZONES: tuple[Zone, ...] = (
    Zone("America/New_York", -300, "EST", "EDT"),
    Zone("America/Chicago", -360, "CST", "CDT"),
    Zone("America/Denver", -420, "MST", "MDT"),
    Zone("America/Phoenix", -420, "MST"),
    Zone("America/Los_Angeles", -480, "PST", "PDT"),
    Zone("Pacific/Honolulu", -600, "HST"),
    Zone("Europe/London", 0, "GMT", "BST"),
    Zone("Asia/Kolkata", 330, "IST"),
)
ZONES_BY_NAME = {z.name: z for z in ZONES}


_DAYS: dict[int, tuple[str, bool]] = {}
_PREFIXES: dict[int, str] = {}
_SUFFIXES: dict[int, str] = {}
#: Every "HH:MM:SS" of a day (86,400 short strings, built once): rendering is then two lookups.
_CLOCK = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


def _day(day_number: int) -> tuple[str, bool]:
    """(`YYYY-MM-DD`, is-summer) of a day since the epoch, memoised: seeding renders each day often."""
    known = _DAYS.get(day_number)
    if known is None:
        t = time.gmtime(day_number * DAY)
        known = _DAYS[day_number] = (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}", 3 <= t.tm_mon <= 10)
    return known


def _prefix(key: int) -> str:
    """`YYYY-MM-DD` plus the date/time separator; `key` = day number * 2 + (1 if ISO else 0)."""
    known = _PREFIXES[key] = _day(key >> 1)[0] + ("T" if key & 1 else " ")
    return known


def _suffix(key: int, style: Style, offset_minutes: int) -> str:
    """The zone suffix of `style` at `offset_minutes`, memoised under `key`."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, mins = divmod(abs(offset_minutes), 60)
    known = {
        Style.RAILS_UTC: " UTC",
        Style.RAILS_OFFSET: f" {sign}{hours:02d}{mins:02d}",
        Style.ISO_Z: "Z",
        Style.ISO_OFFSET: f"{sign}{hours:02d}:{mins:02d}",
    }[style]
    _SUFFIXES[key] = known
    return known


_UTC_STYLES = (Style.RAILS_UTC, Style.ISO_Z)


def render(epoch: int, style: Style, offset_minutes: int = 0) -> str:
    """`epoch` (UTC seconds) as Healthie would print it in `style`, local to `offset_minutes`.

    Hot path of seeding (millions of calls): two memo lookups and a table index, no formatting.
    """
    if style in _UTC_STYLES:
        offset_minutes = 0
    day_number, second = divmod(epoch + offset_minutes * 60, DAY)
    key = day_number * 2 + (style >= 2)
    suffix_key = style * 10_000 + offset_minutes
    prefix = _PREFIXES.get(key) or _prefix(key)
    suffix = _SUFFIXES.get(suffix_key) or _suffix(suffix_key, style, offset_minutes)
    return prefix + _CLOCK[second] + suffix


def iso8601(epoch: int, offset_minutes: int = 0) -> str:
    """The `ISO8601DateTime` scalar's rendering (always ISO 8601 with an explicit offset)."""
    return render(epoch, Style.ISO_OFFSET, offset_minutes)


def parse_day(text: str) -> int:
    """Epoch seconds of 00:00 UTC on a `YYYY-MM-DD` day; ValueError for anything else."""
    if len(text) != 10:
        raise ValueError(text)
    day = date.fromisoformat(text)
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def parse_instant(text: str) -> int:
    """Epoch seconds of an ISO 8601 instant (`Z` or offset; no offset means UTC)."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def parse_any(text: str) -> int:
    """Epoch seconds of a timestamp in any of Healthie's styles (admin input, tests)."""
    text = text.strip()
    if text.endswith(" UTC"):
        return parse_instant(text[:-4])
    if len(text) > 20 and text[10] == " " and text[-5] in "+-" and text[-6] == " ":
        return parse_instant(f"{text[:10]}T{text[11:19]}{text[-5:-2]}:{text[-2:]}")
    return parse_instant(text)


def style_of(text: str) -> tuple[Style, int]:
    """(style, UTC offset in minutes) of a timestamp rendered by `render`."""
    if text.endswith(" UTC"):
        return Style.RAILS_UTC, 0
    if text.endswith("Z"):
        return Style.ISO_Z, 0
    if text[10] == "T":
        sign = -1 if text[-6] == "-" else 1
        return Style.ISO_OFFSET, sign * (int(text[-5:-3]) * 60 + int(text[-2:]))
    sign = -1 if text[-5] == "-" else 1
    return Style.RAILS_OFFSET, sign * (int(text[-4:-2]) * 60 + int(text[-2:]))


def restamp(like: str, epoch: int) -> str:
    """`epoch` rendered in the style and offset of `like` (a row keeps one style when it changes)."""
    style, offset_minutes = style_of(like)
    return render(epoch, style, offset_minutes)
