import pytest

from kenlabour.territories import selectors


@pytest.fixture
def quimper(db):
    return selectors.get_commune("29232")


@pytest.fixture
def brest(db):
    return selectors.get_commune("29019")


@pytest.fixture
def rennes(db):
    return selectors.get_commune("35238")


@pytest.fixture
def gazetteer(transactional_db):
    """The whole gazetteer, for tests outside a transaction (live server, browser).

    The data migration fills every test database, but a transactional test empties the
    database when it ends (Django flushes it), gazetteer included: load it again if so."""
    from kenlabour.territories.models import Commune
    from kenlabour.territories.services import load_gazetteer

    if not Commune.objects.filter(code="29232").exists():
        load_gazetteer()
