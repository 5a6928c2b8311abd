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
