"""Amounts shown in euros in the active language's format, from integer cents."""

from django.utils import translation

from kenlabour.funding.templatetags.funding_claims import format_euros


def test_french_amounts():
    with translation.override("fr"):
        assert format_euros(123_456_789) == "1\u00a0234\u00a0567,89\u00a0€"
        assert format_euros(5) == "0,05\u00a0€"
        assert format_euros(None) == "—"


def test_english_amounts():
    with translation.override("en"):
        assert format_euros(123_456_789) == "€1,234,567.89"
        assert format_euros(-250) == "-€2.50"
