"""Fixtures shared by the grants tests: a team and one of its officers (a grants officer)."""
import pytest

from shire.core.tests.factories import make_officer, make_team


@pytest.fixture
def team():
    return make_team()


@pytest.fixture
def officer(team):
    return make_officer("officer", team=team)
