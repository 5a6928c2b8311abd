"""iCalendar files, parsed back."""

import datetime
import zoneinfo

import icalendar

from kenlabour.lab.ical import Event, calendar

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_events_come_back_with_the_same_moments_and_texts():
    start = datetime.datetime(2031, 7, 1, 9, 0, tzinfo=PARIS)  # summer time
    events = [
        Event(
            uid="atelier-1@kenlabour",
            title="Atelier « accès aux droits »",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=3),
            description="Ligne 1\nLigne 2, avec virgule; et point-virgule",
            location="2 rue du Parc, Quimper",
            url="https://exemple.bzh/labo/ateliers/a/",
        ),
        Event(
            uid="atelier-2@kenlabour",
            title="En ligne",
            starts_at=start + datetime.timedelta(days=200),  # winter time
            ends_at=start + datetime.timedelta(days=200, hours=1),
        ),
    ]
    stamp = datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)
    parsed = icalendar.Calendar.from_ical(calendar(events, name="Labo", stamp=stamp))
    assert str(parsed["VERSION"]) == "2.0"
    back = parsed.walk("VEVENT")
    assert [str(e["UID"]) for e in back] == ["atelier-1@kenlabour", "atelier-2@kenlabour"]
    for event, original in zip(back, events, strict=True):
        assert event.decoded("DTSTART") == original.starts_at
        assert event.decoded("DTEND") == original.ends_at
        assert str(event["SUMMARY"]) == original.title
    assert str(back[0]["DESCRIPTION"]) == events[0].description
    assert "LOCATION" not in back[1]


def test_an_empty_feed_is_a_valid_calendar():
    parsed = icalendar.Calendar.from_ical(
        calendar([], name="Labo", stamp=datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC))
    )
    assert parsed.walk("VEVENT") == []
