"""Fixtures the consultation tests share: a team, one of its officers (Alex Officer) and a browser
client signed in as them. A test module that needs another kind of officer defines its own."""
import pytest
from django.test import Client

from shire.core.tests.factories import make_officer, make_team


@pytest.fixture
def team():
    return make_team("Communities Team")


@pytest.fixture
def officer(team):
    user = make_officer("officer", team=team)
    user.first_name, user.last_name = "Alex", "Officer"
    user.save()
    return user


@pytest.fixture
def staff(officer):
    client = Client()
    client.force_login(officer)
    return client
