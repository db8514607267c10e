"""Small builders for test data, shared by every app's tests."""
from shire.core.models import Team, User


def make_officer(username="officer", team=None, role=User.Role.OFFICER, password="correct horse battery"):
    user = User.objects.create_user(username=username, password=password, role=role, email=f"{username}@example.gov.uk")
    if team is not None:
        team.members.add(user)
    return user


def make_team(name="Communities Team", slug=None):
    return Team.objects.create(name=name, slug=slug or name.lower().replace(" ", "-"))
