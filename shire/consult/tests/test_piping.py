"""XLSForm's piping: ${name} in a label is the person's earlier answer on the answering pages
(escaped), and a readable placeholder, [name], in the report and on the staff pages."""
import pytest
from django.test import Client

from shire.consult import analysis
from shire.consult.models import Response
from shire.consult.services import store_response
from shire.core.tests.factories import make_officer

from .answering_helpers import choices, make_consultation, page_url, question

pytestmark = pytest.mark.django_db

GROUP = "<b>Hill & Dale</b> group"


def piping_definition():
    return {"form_id": "piping", "title": "Piping", "version": "1", "pages": [
        {"name": "who", "label": "Your group", "hint": None, "relevant": None, "items": [
            question("group", "text", "What is your group called?"),
            question("kind", "select_one", "What kind of group is it?", choices=choices(("parish", "Parish council"), ("club", "Club"))),
        ]},
        {"name": "how", "label": "About ${group}", "hint": None, "relevant": None, "items": [
            question("happy", "select_one", "Is ${ group } (a ${kind}) happy with ${later}?", required=True,
                     choices=choices(("yes", "Yes"), ("no", "No"))),
            question("later", "text", "What else?"),
        ]},
    ]}


def test_the_answering_page_fills_in_earlier_answers_escaped_even_after_a_refused_submission():
    consultation = make_consultation(slug="piping", definition=piping_definition())
    client = Client()
    assert client.post(page_url(consultation, 1), {"group": GROUP, "kind": "parish", "action": "continue"}).status_code == 302
    page = client.get(page_url(consultation, 2)).content.decode()
    filled = "Is &lt;b&gt;Hill &amp; Dale&lt;/b&gt; group (a Parish council) happy with [later]?"
    assert filled in page
    assert "About &lt;b&gt;Hill &amp; Dale&lt;/b&gt; group" in page
    assert "<b>Hill" not in page
    refused = client.post(page_url(consultation, 2), {"later": "Roads", "action": "continue"})
    assert refused.status_code == 200  # happy is required: the page again, with what was typed
    assert filled in refused.content.decode()
    assert ">Roads</textarea>" in refused.content.decode()
    check = client.post(page_url(consultation, 2), {"happy": "yes", "later": "Roads", "action": "continue"})
    assert check.status_code == 302
    summary = client.get(check["Location"]).content.decode()
    assert "Is &lt;b&gt;Hill &amp; Dale&lt;/b&gt; group (a Parish council) happy with [later]?" in summary


def test_the_report_and_the_staff_pages_show_a_placeholder():
    consultation = make_consultation(slug="piping", definition=piping_definition())
    response = store_response(consultation, {"group": GROUP, "kind": "club", "happy": "yes"}, channel=Response.Channel.IMPORTED)
    definition = consultation.questionnaire.definition
    report = analysis.analyse(definition, analysis.frame_from_records(definition, [response.answers]))
    assert report["questions"]["happy"]["label"] == "Is [group] (a [kind]) happy with [later]?"
    officer = make_officer("piper", team=consultation.team)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/staff/consultations/piping/responses/{response.response_id}/")
    assert page.status_code == 200
    assert "Is [group] (a [kind]) happy with [later]?" in page.content.decode()
