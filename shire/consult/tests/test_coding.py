"""Themes in free-text answers, in the database (shire/consult/coding.py): proposing a codebook,
coding answers, officers' corrections as training examples, changing the codebook, importing one,
workshop notes, and the report's figures. Real embeddings from the packaged model."""
from datetime import date

import pytest

from shire.consult import coding
from shire.consult.models import AnswerCoding, Consultation, Questionnaire, Response, Theme, Workshop, WorkshopNote
from shire.core.models import AuditEvent
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db

DEFINITION = {
    "form_id": "themes_small",
    "title": "Communities Strategy (themes)",
    "version": "1",
    "pages": [
        {"name": "about", "label": "About you", "items": [
            {"name": "respondent_type", "type": "select_one", "label": "Are you answering as an individual?",
             "choices": [{"name": "individual", "label": "Individual"}, {"name": "organisation", "label": "Organisation"}],
             "list_name": "type", "required": False, "relevant": None, "constraint": None, "row": 2},
        ]},
        {"name": "comments", "label": "Comments", "items": [
            {"name": "q33", "type": "text", "label": "Do you have any other comments on the strategy?",
             "required": False, "relevant": None, "constraint": None, "row": 3},
            {"name": "q34", "type": "text", "label": "Anything else?", "required": False, "relevant": None,
             "constraint": None, "row": 4},
        ]},
    ],
}

CODEBOOK = [
    ("libraries", "Libraries", "Keeping libraries and mobile libraries open"),
    ("transport", "Transport", "Buses, community transport and getting about from villages"),
    ("volunteers", "Over-reliance on volunteers", "Volunteers cannot replace paid, trained staff"),
]

ANSWERS = [
    "Please keep our village library open, it is the only public space we have.",             # 0
    "The bus only comes every two hours and not at all on Sundays.",                          # 1
    "You can't run services on goodwill; unpaid helpers are no substitute for trained staff.",  # 2
    "Closing the branch library would be a disaster for children and older readers.",         # 3
    "Without the community minibus my neighbour can't get to hospital.",                      # 4
    "The same few volunteers already do everything and they are exhausted.",                  # 5
    "Mobile library visits are a lifeline for housebound people.",                            # 6
    "Rural bus routes must be protected.",                                                    # 7
    "The library van brings books to the village once a fortnight.",                          # 8
    "The mobile library van should stop in our village more often.",                          # 9
    "The library van is how my mother gets her large print books.",                           # 10
    "Please keep the library van coming to the estate.",                                      # 11
]


def make_text_consultation(team=None, slug="themes-small", answers=ANSWERS, extra=()):
    team = team or make_team("Communities Team")
    consultation = Consultation.objects.create(
        slug=slug, title="Communities Strategy & themes", summary="What should we focus on?",
        opens_on=date(2026, 1, 5), closes_on=date(2026, 3, 30), contact_name="Communities Team",
        contact_email="communities@example.gov.uk", team=team,
    )
    Questionnaire.objects.create(consultation=consultation, title=DEFINITION["title"], form_id=DEFINITION["form_id"],
                                 definition=DEFINITION)
    rows = [{"respondent_type": "individual", "q33": text} for text in answers] + list(extra)
    Response.objects.bulk_create(
        Response(consultation=consultation, response_id=f"R{i:03d}", answers=answers_, channel="imported")
        for i, answers_ in enumerate(rows)
    )
    return consultation


def add_codebook(consultation, question="q33", book=CODEBOOK):
    return {key: Theme.objects.create(consultation=consultation, question=question, key=key, name=name,
                                      description=description, order=i, origin=Theme.Origin.IMPORTED)
            for i, (key, name, description) in enumerate(book)}


def coding_of(consultation, index, question="q33"):
    response = Response.objects.get(consultation=consultation, response_id=f"R{index:03d}")
    return AnswerCoding.objects.select_related("theme", "second_theme").get(response=response, question=question)


@pytest.fixture
def officer():
    return make_officer("officer")


@pytest.fixture
def consultation():
    return make_text_consultation()


# ------------------------------------------------------------------------------------ questions


def test_text_questions_and_answers(consultation):
    assert [q["name"] for q in coding.text_questions(DEFINITION)] == ["q33", "q34"]
    assert coding.text_question(consultation, "q33")["label"].startswith("Do you have")
    assert coding.text_question(consultation, "respondent_type") is None
    assert not coding.has_answers(consultation, "q34")
    Response.objects.create(consultation=consultation, response_id="BLANK", answers={"q33": " \n\t ", "q34": "\n "})
    Response.objects.create(consultation=consultation, response_id="NONE", answers={"respondent_type": "individual"})
    assert [text for _, text in coding.online_answers(consultation, "q33")] == ANSWERS
    assert coding.has_answers(consultation, "q33") and not coding.has_answers(consultation, "q34")
    Response.objects.create(consultation=consultation, response_id="ONE", answers={"q34": " Buses "})
    assert coding.has_answers(consultation, "q34") and coding.online_answers(consultation, "q34")[0][1] == " Buses "
    assert coding.progress(consultation, "q33") == {"answers": 12, "notes": 0, "total": 12, "themes": 0, "coded": 0,
                                                    "reviewed": 0}


def test_snake_keys():
    assert coding.snake_key("Over-reliance on volunteers") == "over_reliance_on_volunteers"
    assert coding.snake_key("2nd homes") == "theme_2nd_homes"
    assert coding.snake_key("!!!") == "theme"


# ------------------------------------------------------------------------------------ proposing


def test_proposing_themes_stores_them_with_redacted_examples(officer):
    consultation = make_text_consultation(answers=ANSWERS + [
        "Keep the library open please. Contact me on jane.doe@example.com or 07700 900123.",
    ])
    created = coding.propose_themes(consultation, "q33", officer, max_themes=4)
    stored = list(Theme.objects.filter(consultation=consultation, question="q33"))
    assert stored == created and 2 <= len(stored) <= 4
    for theme in stored:
        assert theme.origin == Theme.Origin.PROPOSED
        assert coding.SNAKE_CASE.match(theme.key)
        assert theme.name and theme.description and theme.key_phrases and theme.examples
    examples = " ".join(e for t in stored for e in t.examples)
    assert "jane.doe@example.com" not in examples and "07700 900123" not in examples
    assert [t.order for t in stored] == list(range(len(stored)))
    event = AuditEvent.objects.get(action="themes.proposed")
    assert event.detail["themes"] == len(stored) and event.detail["question"] == "q33"


def test_proposing_again_needs_replace_and_then_clears_coding(consultation, officer):
    add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    with pytest.raises(coding.ThemeError, match="already has themes"):
        coding.propose_themes(consultation, "q33", officer)
    assert Theme.objects.filter(origin=Theme.Origin.IMPORTED).count() == 3
    coding.propose_themes(consultation, "q33", officer, max_themes=3, replace=True)
    assert not Theme.objects.filter(origin=Theme.Origin.IMPORTED).exists()
    assert not AnswerCoding.objects.exists()


def test_proposing_with_no_answers_is_refused(consultation, officer):
    with pytest.raises(coding.ThemeError, match="Nobody has answered"):
        coding.propose_themes(consultation, "q34", officer)


# ------------------------------------------------------------------------------------ coding


def test_code_answers_stores_theme_second_theme_confidence_and_sentiment(officer):
    consultation = make_text_consultation(answers=ANSWERS + ["I fully support keeping the library, good idea."])
    themes = add_codebook(consultation)
    result = coding.code_answers(consultation, "q33", officer)
    assert result["coded"] == 13 and result["examples"] == 0 and result["themes"] == 3
    assert coding_of(consultation, 1).theme == themes["transport"]
    assert coding_of(consultation, 2).theme == themes["volunteers"]
    assert coding_of(consultation, 3).theme == themes["libraries"]
    for answer in AnswerCoding.objects.all():
        assert 0 < answer.confidence <= 1 and not answer.reviewed
        assert answer.second_theme is not None and answer.second_theme != answer.theme
        assert answer.sentiment in coding.SENTIMENTS
    assert coding_of(consultation, 12).sentiment == "agree"
    assert coding_of(consultation, 3).sentiment == "disagree"  # "would be a disaster"
    event = AuditEvent.objects.get(action="themes.coded")
    assert event.detail["coded"] == 13 and "question" in event.detail
    # The queue is least confident first.
    queue = list(coding.review_queue(consultation, "q33"))
    assert [c.confidence for c in queue] == sorted(c.confidence for c in queue)


def test_coding_needs_themes(consultation, officer):
    with pytest.raises(coding.ThemeError, match="Add or propose themes"):
        coding.code_answers(consultation, "q33", officer)


def test_corrections_change_later_suggestions(consultation, officer):
    """The officer decides that answers about the library van are about transport; after four
    corrections Shire suggests transport for the fifth, which it first called libraries."""
    themes = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    assert coding_of(consultation, 11).theme == themes["libraries"]
    for index in (6, 8, 9, 10):
        assert coding.review_coding(coding_of(consultation, index), officer, themes["transport"]) is True
    assert coding.progress(consultation, "q33")["reviewed"] == 4
    assert coding.training_examples(consultation, "q33") == {
        f"r{coding_of(consultation, i).response_id}": "transport" for i in (6, 8, 9, 10)}
    result = coding.code_answers(consultation, "q33", officer)
    assert result == {**result, "coded": 8, "examples": 4}
    assert coding_of(consultation, 11).theme == themes["transport"]
    # The officer's decisions stand.
    for index in (6, 8, 9, 10):
        answer = coding_of(consultation, index)
        assert answer.reviewed and answer.theme == themes["transport"] and answer.reviewed_by == officer
    assert AuditEvent.objects.filter(action="themes.answer_reviewed").count() == 4


def test_review_sets_second_theme_and_sentiment(consultation, officer):
    themes = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    answer = coding_of(consultation, 4)
    expected = answer.theme != themes["transport"] or answer.sentiment != "disagree"
    changed = coding.review_coding(answer, officer, themes["transport"], themes["volunteers"], "disagree")
    answer.refresh_from_db()
    assert answer.reviewed and answer.second_theme == themes["volunteers"] and answer.sentiment == "disagree"
    assert changed is expected
    assert coding.review_coding(answer, officer, themes["transport"], themes["volunteers"]) is False
    # A second theme equal to the main theme means none.
    coding.review_coding(answer, officer, themes["transport"], themes["transport"])
    answer.refresh_from_db()
    assert answer.second_theme is None
    other = Consultation.objects.create(slug="other", title="x", summary="x", opens_on=date(2026, 1, 1),
                                        closes_on=date(2026, 2, 1), contact_name="x", contact_email="x@example.org",
                                        team=consultation.team)
    foreign = Theme.objects.create(consultation=other, question="q33", key="x", name="X")
    with pytest.raises(coding.ThemeError):
        coding.review_coding(answer, officer, foreign)


def test_an_officers_coding_done_outside_shire_is_recorded_as_reviewed(consultation, officer):
    add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)  # Shire's suggestions, replaced by the officer's coding
    before = AnswerCoding.objects.count()
    coded = coding.record_officer_coding(consultation, "q33", officer, [
        ("R000", "libraries", ""), ("R002", "volunteers", "transport"), ("R004", "transport", "transport")])
    assert coded == 3
    assert AnswerCoding.objects.count() == before  # replaced, not added
    for index, theme, second in ((0, "libraries", None), (2, "volunteers", "transport"), (4, "transport", None)):
        answer = coding_of(consultation, index)
        assert (answer.theme.key, answer.second_theme and answer.second_theme.key) == (theme, second)
        assert answer.reviewed and answer.reviewed_by == officer and answer.confidence is None
    assert coding_of(consultation, 2).sentiment == coding.themes.sentiment(ANSWERS[2])
    assert coding.training_examples(consultation, "q33") == {
        f"r{coding_of(consultation, i).response_id}": key for i, key in ((0, "libraries"), (2, "volunteers"), (4, "transport"))}
    event = AuditEvent.objects.get(action="themes.officer_coding_recorded")
    assert event.actor == officer and event.detail == {"question": "q33", "coded": 3, "notes_coded": 0}
    entries = {e["theme"]: e for e in coding.theme_figures(consultation, "q33")["themes"]}
    assert entries["transport"]["second_mentions"] == 1  # the officer's second theme counts


def test_an_officers_coding_of_workshop_notes_counts_beside_the_online_answers(consultation, officer):
    add_codebook(consultation)
    notes = coding.add_workshop_notes(consultation, "q33", officer, "VCS", "More buses to villages\nKeep libraries open")
    assert coding.record_officer_coding(consultation, "q33", officer, [("R001", "transport", "")],
                                        [(notes[0], "transport", "volunteers"), (notes[1], "libraries", "")]) == 3
    reviewed = AnswerCoding.objects.filter(note__in=notes, reviewed=True, reviewed_by=officer)
    assert sorted(reviewed.values_list("theme__key", "second_theme__key")) == [("libraries", None),
                                                                              ("transport", "volunteers")]
    figures = coding.theme_figures(consultation, "q33")
    entries = {e["theme"]: e for e in figures["themes"]}
    assert {key: (e["count"], e["workshop_count"]) for key, e in entries.items()} == {
        "transport": (1, 1), "libraries": (0, 1), "volunteers": (0, 1)}
    assert figures["theme_coding"]["workshop_notes_coded"] == 2
    assert AuditEvent.objects.get(action="themes.officer_coding_recorded").detail == {
        "question": "q33", "coded": 1, "notes_coded": 2}


@pytest.mark.parametrize("decisions,message", [
    ([("R000", "libraries", ""), ("R999", "libraries", "")], "Row 2: there is no response R999"),
    ([("R000", "buses", "")], "Row 1: 'buses' is not one of this question's themes"),
    ([("R000", "libraries", "buses")], "Row 1: 'buses' is not one of this question's themes"),
    ([("R000", "", "")], "Row 1: the answer's theme is missing"),
    ([("R000", "libraries", ""), ("R000", "transport", "")], "Row 2: response R000 is coded twice"),
    ([("R012", "libraries", "")], "Row 1: response R012 has no answer to this question"),
])
def test_an_officers_coding_with_a_bad_row_is_refused_naming_it_and_changes_nothing(officer, decisions, message):
    consultation = make_text_consultation(extra=[{"respondent_type": "organisation"}])
    add_codebook(consultation)
    with pytest.raises(coding.ThemeError) as refused:
        coding.record_officer_coding(consultation, "q33", officer, decisions)
    assert message in refused.value.errors
    assert not AnswerCoding.objects.exists()
    assert not AuditEvent.objects.filter(action="themes.officer_coding_recorded").exists()


def test_an_officers_coding_of_a_note_about_another_question_or_twice_is_refused(consultation, officer):
    add_codebook(consultation)
    other = coding.add_workshop_notes(consultation, "q34", officer, "VCS", "Something else")[0]
    note = coding.add_workshop_notes(consultation, "q33", officer, "VCS", "More buses")[0]
    for notes, message in (([(other, "transport", "")], "Note 1: it is not a workshop note about this question"),
                           ([(note, "transport", ""), (note, "libraries", "")], "Note 2: it is coded twice"),
                           ([(note, "buses", "")], "Note 1: 'buses' is not one of this question's themes")):
        with pytest.raises(coding.ThemeError) as refused:
            coding.record_officer_coding(consultation, "q33", officer, [("R000", "libraries", "")], notes)
        assert message in refused.value.errors
    assert not AnswerCoding.objects.exists()


# ------------------------------------------------------------------------------------ changing the codebook


def test_merge_moves_codings_reviewed_or_not(consultation, officer):
    themes = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    coding.review_coding(coding_of(consultation, 0), officer, themes["libraries"], themes["transport"])
    coding.review_coding(coding_of(consultation, 1), officer, themes["transport"], themes["volunteers"])
    libraries = AnswerCoding.objects.filter(theme=themes["libraries"]).count()
    transport = AnswerCoding.objects.filter(theme=themes["transport"]).count()
    transport_pk = themes["transport"].pk
    moved = coding.merge_themes(themes["transport"], themes["libraries"], officer)
    assert moved == transport
    assert not Theme.objects.filter(pk=transport_pk).exists()
    assert AnswerCoding.objects.filter(theme=themes["libraries"]).count() == libraries + transport
    first = coding_of(consultation, 0)
    assert first.reviewed and first.theme == themes["libraries"] and first.second_theme is None  # was libraries + transport
    second = coding_of(consultation, 1)
    assert second.reviewed and second.theme == themes["libraries"] and second.second_theme == themes["volunteers"]
    assert not AnswerCoding.objects.filter(second_theme_id=transport_pk).exists()
    assert AuditEvent.objects.get(action="themes.merged").detail == {
        "question": "q33", "theme": "transport", "into": "libraries", "moved": transport}
    with pytest.raises(coding.ThemeError, match="two different"):
        coding.merge_themes(themes["libraries"], themes["libraries"], officer)


def test_split_moves_the_chosen_answers_to_a_new_theme(consultation, officer):
    themes = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    van = [coding_of(consultation, i) for i in (8, 9, 10, 11)]
    assert all(c.theme == themes["libraries"] for c in van)
    new = coding.split_theme(themes["libraries"], officer, "Library van", "The mobile library van's visits",
                             [c.pk for c in van[:3]], "van, mobile library")
    assert new.key == "library_van" and new.origin == Theme.Origin.OFFICER and new.key_phrases == ["van", "mobile library"]
    assert new.order == 3
    for answer in van[:3]:
        answer.refresh_from_db()
        assert answer.theme == new and answer.reviewed and answer.reviewed_by == officer
    van[3].refresh_from_db()
    assert van[3].theme == themes["libraries"] and not van[3].reviewed
    with pytest.raises(coding.ThemeError, match="at least one"):
        coding.split_theme(themes["libraries"], officer, "Empty", "", [])
    with pytest.raises(coding.ThemeError, match="no longer coded"):
        coding.split_theme(themes["libraries"], officer, "Again", "", [van[0].pk])
    assert AuditEvent.objects.get(action="themes.split").detail["moved"] == 3


def test_delete_sends_answers_back_to_uncoded(consultation, officer):
    themes = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    coding.review_coding(coding_of(consultation, 0), officer, themes["libraries"], themes["transport"])
    transport = AnswerCoding.objects.filter(theme=themes["transport"]).count()
    assert coding.delete_theme(themes["transport"], officer) == transport
    assert AnswerCoding.objects.count() == 12 - transport
    assert coding_of(consultation, 0).second_theme is None and coding_of(consultation, 0).second_confidence is None
    assert coding.progress(consultation, "q33")["coded"] == 12 - transport
    assert AuditEvent.objects.get(action="themes.theme_deleted").detail["uncoded"] == transport
    # Coding again gives the uncoded answers a theme from those left.
    coding.code_answers(consultation, "q33", officer)
    assert AnswerCoding.objects.count() == 12


def test_add_and_update_theme(consultation, officer):
    theme = coding.add_theme(consultation, "q33", officer, "Community hubs", "Buildings as hubs", "hub; village hall")
    assert (theme.key, theme.origin, theme.key_phrases) == ("community_hubs", "officer", ["hub", "village hall"])
    again = coding.add_theme(consultation, "q33", officer, "Community hubs")
    assert again.key == "community_hubs_2"
    with pytest.raises(coding.ThemeError, match="already a theme with the key community_hubs"):
        coding.add_theme(consultation, "q33", officer, "Hubs", key="community_hubs")
    with pytest.raises(coding.ThemeError, match="snake_case"):
        coding.add_theme(consultation, "q33", officer, "Hubs", key="Community Hubs")
    with pytest.raises(coding.ThemeError, match="Enter the theme's name"):
        coding.add_theme(consultation, "q33", officer, "  ")
    coding.update_theme(theme, officer, "Community buildings", "Halls and hubs", "hall, hub")
    theme.refresh_from_db()
    assert (theme.key, theme.name, theme.description, theme.key_phrases) == (
        "community_hubs", "Community buildings", "Halls and hubs", ["hall", "hub"])
    event = AuditEvent.objects.filter(action="themes.theme_changed").get()
    assert set(event.detail["fields"]) == {"name", "description", "key_phrases"}


# ------------------------------------------------------------------------------------ importing a codebook


def import_text(consultation, officer, text, name="codebook.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return coding.import_codebook(consultation, "q33", officer, data, name)


def test_import_codebook_adds_and_updates(consultation, officer):
    add_codebook(consultation, book=CODEBOOK[:1])
    added, updated = import_text(consultation, officer,
                                 "theme,name,description,key_phrases\n"
                                 "libraries,Libraries and museums,Keeping libraries and museums open,library;museum\n"
                                 "transport,Transport,Buses and community transport,\n"
                                 "\n"
                                 "volunteers,Volunteers,\"Volunteers cannot replace paid, trained staff\",\n")
    assert (added, updated) == (2, 1)
    themes = coding.codebook(consultation, "q33")
    assert [(t.key, t.origin) for t in themes] == [("libraries", "imported"), ("transport", "imported"),
                                                   ("volunteers", "imported")]
    assert themes[0].name == "Libraries and museums" and themes[0].key_phrases == ["library", "museum"]
    assert themes[2].description == "Volunteers cannot replace paid, trained staff"
    assert AuditEvent.objects.get(action="themes.imported").detail["added"] == 2


@pytest.mark.parametrize("text, message", [
    ("theme,name\nx,X\n", r"^codebook.csv: row 1: missing column description"),
    ("", r"^codebook.csv: the file is empty"),
    ("theme,name,description\n", r"^codebook.csv: the codebook has no themes"),
    ("theme,name,description\nparking,Parking,Cars\nparking,Again,Twice\n",
     r"^codebook.csv: row 3: the theme 'parking' appears again \(first at row 2\)"),
    ("theme,name,description\nparking,Parking,Cars\n,Nameless,x\n", r"^codebook.csv: row 3: the theme is empty"),
    ("theme,name,description\nparking,Parking,Cars, vans\n", r"^codebook.csv: row 2: 4 values but the header has 3"),
    ("theme,name,description\nparking,Parking,Cars\n\nRural Buses,Buses,x\n",
     r"^codebook.csv: row 4: the key must be snake_case.*\(theme 'Rural Buses'\)"),
    ("theme,name,description\nparking,Parking,Cars\nbuses," + "B" * 121 + ",x\n",
     r"^codebook.csv: row 3: the theme's name must be 120 characters or fewer"),
])
def test_import_codebook_errors_name_the_row_and_change_nothing(consultation, officer, text, message):
    with pytest.raises(coding.ThemeError, match=message):
        import_text(consultation, officer, text)
    assert not Theme.objects.exists()
    assert not AuditEvent.objects.filter(action="themes.imported").exists()


def test_import_codebook_refuses_non_utf8_and_keeps_the_uploaded_name(consultation, officer):
    with pytest.raises(coding.ThemeError, match=r"^my themes.csv: row 3: the text is not UTF-8"):
        import_text(consultation, officer, "theme,name,description\na,A,x\nb,Caf\xe9,y\n".encode("latin-1"),
                    name="../my themes.csv")


def test_every_row_problem_is_listed(consultation, officer):
    with pytest.raises(coding.ThemeError) as caught:
        import_text(consultation, officer, "theme,name,description\nBad One,A,x\nok,B,y\nBad-Two,C,z\n")
    assert [e.split(":")[1].strip() for e in caught.value.errors] == ["row 2", "row 4"]


def test_codebook_csv_round_trip(consultation, officer):
    add_codebook(consultation)
    text = coding.codebook_csv(consultation, "q33").decode()
    assert text.splitlines()[0] == "theme,name,description,key_phrases"
    other = make_text_consultation(team=consultation.team, slug="other")
    assert coding.import_codebook(other, "q33", officer, text.encode(), "c.csv") == (3, 0)


# ------------------------------------------------------------------------------------ workshop notes


def test_workshop_notes_are_coded_with_the_same_themes(consultation, officer):
    themes = add_codebook(consultation)
    notes = coding.add_workshop_notes(consultation, "q33", officer, " LECG ",
                                      "Buses from villages are too infrequent\n\n  Keep the libraries open  \n")
    assert [n.text for n in notes] == ["Buses from villages are too infrequent", "Keep the libraries open"]
    assert Workshop.objects.get(consultation=consultation).name == "LECG"
    assert coding.progress(consultation, "q33")["total"] == 14
    coding.code_answers(consultation, "q33", officer)
    by_note = {c.note.text: c.theme for c in AnswerCoding.objects.filter(note__isnull=False).select_related("note")}
    assert by_note == {"Buses from villages are too infrequent": themes["transport"],
                       "Keep the libraries open": themes["libraries"]}
    with pytest.raises(coding.ThemeError) as caught:
        coding.add_workshop_notes(consultation, "q33", officer, "", "  \n ")
    assert caught.value.errors == ["Enter the workshop's name", "Enter at least one note, one a line"]
    coding.remove_workshop_note(notes[0], officer)
    assert WorkshopNote.objects.count() == 1 and AnswerCoding.objects.filter(note__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action__startswith="themes.note").count() == 2


# ------------------------------------------------------------------------------------ the report's figures


def test_theme_figures_count_main_themes_and_confirmed_second_themes(officer):
    consultation = make_text_consultation(answers=ANSWERS + [
        "Keep the library open, I support it. Write to me at jo.bloggs@example.com or call 0116 496 0123.",
    ])
    themes = add_codebook(consultation)
    coding.add_workshop_notes(consultation, "q33", officer, "Staff", "Keep libraries open\nMore buses to villages\n"
                                                                      "Library books for housebound people")
    coding.code_answers(consultation, "q33", officer)
    # Shire's runner-up never counts; a second theme the officer confirms does.
    coding.review_coding(coding_of(consultation, 4), officer, themes["transport"], themes["volunteers"], "disagree")
    figures = coding.theme_figures(consultation, "q33")
    entries = {e["theme"]: e for e in figures["themes"]}
    main = {key: AnswerCoding.objects.filter(theme=t, response__isnull=False).count() for key, t in themes.items()}
    assert entries["libraries"]["count"] == main["libraries"]
    assert entries["transport"]["count"] == main["transport"] and entries["transport"]["second_mentions"] == 0
    assert entries["volunteers"]["count"] == main["volunteers"] + 1 and entries["volunteers"]["second_mentions"] == 1
    assert entries["libraries"]["percent"] == round(main["libraries"] * 100 / 13 + 1e-9, 1)
    assert sum(entries["volunteers"]["sentiment"].values()) == entries["volunteers"]["count"]
    assert entries["volunteers"]["sentiment"]["disagree"] >= 1
    assert sum(e["workshop_count"] for e in entries.values()) == 3
    assert entries["transport"]["workshop_count"] >= 1
    assert [e["count"] for e in figures["themes"]] == sorted((e["count"] for e in figures["themes"]), reverse=True)
    assert figures["theme_coding"] == {"answers": 13, "coded": 13, "reviewed": 1, "workshop_notes": 3,
                                       "workshop_notes_coded": 3}
    quotes = " ".join(q for e in figures["themes"] for q in e["quotes"])
    assert all(1 <= len(e["quotes"]) <= 3 for e in figures["themes"] if e["count"])
    assert "jo.bloggs@example.com" not in quotes and "0116 496 0123" not in quotes
    assert set(figures["themes"][0]) == {"theme", "name", "description", "count", "percent", "second_mentions",
                                         "sentiment", "quotes", "workshop_count"}


def test_theme_figures_none_without_themes(consultation):
    assert coding.theme_figures(consultation, "q33") is None


def figures_of(counts, sentiments=None):
    return {
        "themes": [{"theme": key, "name": key, "description": "", "count": n, "percent": float(n),
                    "second_mentions": 0, "sentiment": (sentiments or {}).get(key) or {"agree": n, "disagree": 0,
                                                                                      "mixed": 0, "unclear": 0},
                    "quotes": ["a quote"], "workshop_count": 2} for key, n in counts.items()],
        "theme_coding": {"answers": 40, "coded": 40, "reviewed": 3, "workshop_notes": 2, "workshop_notes_coded": 2},
    }


def test_small_theme_counts_are_suppressed_for_public_pages():
    figures = coding.suppress_theme_figures(figures_of({"a": 20, "b": 12, "c": 3}))
    a, b, c = figures["themes"]
    assert (c["count"], c["percent"], c["quotes"]) == ("fewer than 5", "fewer than 5", [])
    assert c["sentiment"]["agree"] == "fewer than 5"
    # Exactly one hidden: the smallest other is hidden too, so c cannot be worked out from the base.
    assert (b["count"], b["percent"]) == ("not shown", "not shown") and b["quotes"] == ["a quote"]
    assert b["sentiment"]["agree"] == "not shown"
    assert a["count"] == 20 and a["workshop_count"] == 2  # workshop notes are not suppressed
    assert figures["theme_coding"]["reviewed"] == "fewer than 5"
    mixed = coding.suppress_theme_figures(figures_of({"a": 20}, {"a": {"agree": 17, "disagree": 3, "mixed": 0,
                                                                       "unclear": 0}}))
    assert mixed["themes"][0]["sentiment"] == {"agree": 17, "disagree": "fewer than 5", "mixed": "not shown",
                                               "unclear": 0}
