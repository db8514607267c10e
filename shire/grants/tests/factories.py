"""Builders for grants test data, shared by every grants test module.

    team = make_team()
    round_ = make_round(team=team)                      # published, open today, with a question,
                                                        # a required PDF/DOCX document and two criteria
    member, organisation = make_applicant("a@example.org")
    application = make_application(round_, organisation, member)          # a draft, ready to send
    submit(application, member)                                           # now submitted
"""
import io
import zipfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from shire.core.models import District, Team, User
from shire.core.tests.factories import make_team

from .. import services
from ..models import (
    ApplicantOrganisation,
    ApplicationQuestion,
    Criterion,
    Membership,
    OrganisationType,
    Programme,
    RequiredDocument,
    Round,
    Theme,
)

PASSWORD = "correct horse battery"


def district(name="Blaby", gss="E07000129"):
    return District.objects.get_or_create(slug=name.lower().replace(" ", "-"), defaults={"name": name, "gss_code": gss})[0]


def make_programme(team=None, name="SHIRE Community Grants", slug="shire-community-grants", code="SCG", **extra):
    team = team or Team.objects.filter(slug="communities-team").first() or make_team()
    return Programme.objects.create(name=name, slug=slug, code=code, team=team, **extra)


def make_round(programme=None, team=None, slug="shire-2019-20", name="2019-20", status=Round.Status.PUBLISHED,
               questions=True, documents=True, criteria=True, themes=True, **extra):
    programme = programme or make_programme(team=team)
    today = timezone.localdate()
    values = {
        "budget_pence": 38_671_500,
        "opens_on": today - timedelta(days=7),
        "closes_on": today + timedelta(days=21),
        "eligible_org_types": [
            OrganisationType.CHARITY, OrganisationType.COMMUNITY_GROUP,
            OrganisationType.SOCIAL_ENTERPRISE, OrganisationType.TOWN_OR_PARISH_COUNCIL,
        ],
        "min_request_pence": 100_000,
        "max_request_pence": 1_000_000,
        "status": status,
    }
    values.update(extra)
    round_ = Round.objects.create(programme=programme, name=name, slug=slug, **values)
    if themes:
        for order, theme in enumerate(
            ["Disadvantaged young people", "Older people, adults and people with mental health issues", "Wider community vulnerability"]
        ):
            Theme.objects.get_or_create(
                programme=programme, slug=f"theme-{order}", defaults={"name": theme, "order": order}
            )
    if questions:
        ApplicationQuestion.objects.create(round=round_, order=1, label="Who will benefit?", kind="long_text", max_words=50)
        ApplicationQuestion.objects.create(round=round_, order=2, label="How many volunteers?", kind="number", required=False)
    if documents:
        RequiredDocument.objects.create(round=round_, order=1, name="Constitution", allowed_types=["pdf", "docx"], max_size_bytes=1024 * 1024)
    if criteria:
        Criterion.objects.create(round=round_, order=1, name="Need", weight=2, max_score=5)
        Criterion.objects.create(round=round_, order=2, name="Value for money", weight=1, max_score=5)
    return round_


def make_community_user(email="member@example.org", first_name="Alex", last_name="Member"):
    return User.objects.create_user(
        username=email, email=email, password=PASSWORD, role=User.Role.COMMUNITY, first_name=first_name, last_name=last_name
    )


def make_organisation(name="Wigston Lunch Club", org_type=OrganisationType.COMMUNITY_GROUP, members=(), **extra):
    values = {"address": "1 High Street\nWigston", "postcode": "LE18 1AA", "district": district()}
    values.update(extra)
    organisation = ApplicantOrganisation.objects.create(name=name, org_type=org_type, **values)
    for index, user in enumerate(members):
        Membership.objects.create(
            organisation=organisation, user=user, role=Membership.Role.LEAD if index == 0 else Membership.Role.MEMBER
        )
    return organisation


def make_applicant(email="member@example.org", organisation_name="Wigston Lunch Club", **extra):
    user = make_community_user(email)
    return user, make_organisation(organisation_name, members=[user], **extra)


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def png_bytes():
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def jpeg_bytes():
    return b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(name="constitution.pdf", content=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type=content_type)


def fill_in(application, member, **overrides):
    """Answer everything the round asks, as a member would, and upload its required documents."""
    round_ = application.round
    theme = round_.themes().first()
    fields = {
        "title": "Rural coffee connect",
        "summary": "A pop-up coffee van visiting 20 rural places to meet isolated people.",
        "theme": theme,
        "amount_text": "2500",
        "district": district(),
        "answers": {q.key: ("12" if q.kind == "number" else "Older people living alone") for q in round_.questions.all()},
    }
    fields.update(overrides)
    services.save_draft(application, member, fields)
    for document in round_.required_documents.filter(required=True):
        services.add_document(application, document, upload(), member)
    application.refresh_from_db()
    return application


def make_application(round_, organisation, member, filled=True):
    application = services.start_application(
        round_, organisation, member, {"in_leicestershire": True, "amount_pence": 250_000, "questions": {}}
    )
    if filled:
        fill_in(application, member)
    return application


def submit(application, member):
    event, errors = services.submit_application(application, member)
    assert not errors, errors
    application.refresh_from_db()
    return application


def refuse_mail(monkeypatch):
    """Make the mail server refuse every recipient, as smtplib says it: the error names the addresses."""
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({address: (550, b"mailbox unavailable") for m in messages for address in m.to})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


def signed_in(user):
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client
