"""iCalendar files of workshops (RFC 5545, written by the `icalendar` library).

Pure module: takes plain events, returns bytes. Times are aware datetimes; they are
written in UTC, which every calendar converts to its reader's zone.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar

PRODID = "-//Kenlabour//Ateliers du laboratoire//FR"


@dataclass(frozen=True)
class Event:
    uid: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    description: str = ""
    location: str = ""
    url: str = ""
    updated_at: datetime.datetime | None = None


def calendar(events: Iterable[Event], *, name: str, stamp: datetime.datetime) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        item = icalendar.Event()
        item.add("uid", event.uid)
        item.add("summary", event.title)
        item.add("dtstart", event.starts_at.astimezone(datetime.UTC))
        item.add("dtend", event.ends_at.astimezone(datetime.UTC))
        item.add("dtstamp", (event.updated_at or stamp).astimezone(datetime.UTC))
        if event.description:
            item.add("description", event.description)
        if event.location:
            item.add("location", event.location)
        if event.url:
            item.add("url", event.url)
        cal.add_component(item)
    return cal.to_ical()
