"""Themes in free-text answers, kept in the database: the rules behind the officers' themes pages.

For each free-text question a consultation has a codebook (`Theme` rows) and a coding of each
answer (`AnswerCoding`: a main theme, a second theme, a confidence and a sentiment). Answers are
the responses' answers to the question and the notes taken at workshops (`WorkshopNote`), coded
with the same themes so they can be counted beside the online answers.

These are plain functions over models; the text work is done by the pure engine in `themes.py`
(`discover`, `suggest`, `representative_quotes`, `sentiment`) and `redact.py`, and codebook CSV
files are read by `theme_files.py`. Every change to a codebook, every coding run and every
correction is written to the audit log (never with the answers' text).

The engine knows an answer by an id: ``r<response pk>`` for an online answer, ``n<note pk>`` for
a workshop note. `propose_themes` and `code_answers` are ordinary functions (the command line and
the tests call them); the officers' pages run them in the background (tasks.py), so officers may
change the codebook and review answers while they run: `check_propose` and `check_code` refuse
at once what would fail, and both functions check again before they write.

Counting (docs/consultations.md): an online answer counts once for its main theme, and once more for
its second theme when an officer has confirmed that second theme in review. Shire's own runner-up
suggestion is never counted. Percentages are of the people who answered the question.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from shire.core import audit

from . import analysis, theme_files, themes
from .models import AnswerCoding, Response, Theme, Workshop, WorkshopNote
from .redact import redact
from .services import ConsultationError

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_LENGTH = 60
NAME_LENGTH = 120
DESCRIPTION_LENGTH = 500
NOTE_LENGTH = 2000
MAX_THEMES = 30
QUOTES_PER_THEME = 3
# Quotes are chosen from at most this many answers of a theme: the officer's reviewed answers
# first, then Shire's most confident; enough to find typical ones, cheap for 100,000 answers.
QUOTE_POOL = 400
PUBLIC_THRESHOLD = 5
SENTIMENTS = themes.SENTIMENTS  # agree, disagree, mixed, unclear


class ThemeError(ConsultationError):
    """A themes request the rules refuse. `errors` lists each problem (the message joins them)."""

    def __init__(self, message, errors=None):
        self.errors = list(errors) if errors else [message]
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# Questions and answers


def text_questions(definition):
    """The free-text questions of a questionnaire definition, in order."""
    return [item for page in (definition or {}).get("pages", []) for item in page.get("items", [])
            if item.get("type") == "text"]


def text_question(consultation, name):
    """The free-text question `name` of the consultation's questionnaire, or None."""
    questionnaire = getattr(consultation, "questionnaire", None)
    if questionnaire is None:
        return None
    return next((q for q in text_questions(questionnaire.definition) if q["name"] == name), None)


def _with_answer_text(consultation, question):
    """The consultation's responses, each with its answer to `question` as `theme_text`."""
    return Response.objects.filter(consultation=consultation).annotate(theme_text=KeyTextTransform(question, "answers"))


def _answered(consultation, question):
    """The responses with a non-blank answer to `question`: filtered in the database, so that
    counting them or asking whether there are any reads no answers."""
    return _with_answer_text(consultation, question).filter(theme_text__regex=r"\S")


def online_answers(consultation, question):
    """[(response pk, text)] of every non-blank answer to `question`, oldest response first."""
    return list(_answered(consultation, question).order_by("pk").values_list("pk", "theme_text"))


def comments_for(consultation, question):
    """Every answer to code as (engine id, text): the online answers, then the workshop notes."""
    comments = [(f"r{pk}", text) for pk, text in online_answers(consultation, question)]
    notes = WorkshopNote.objects.filter(consultation=consultation, question=question).order_by("pk")
    comments += [(f"n{pk}", text) for pk, text in notes.values_list("pk", "text")]
    return comments


def answer_text(coding):
    """The text of the answer a coding is of (a response's answer or a workshop note)."""
    if coding.note_id:
        return coding.note.text
    value = (coding.response.answers or {}).get(coding.question)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def progress(consultation, question):
    """How far the coding of `question` has got: answers, notes, themes, coded and reviewed."""
    answers = _answered(consultation, question).count()
    notes = WorkshopNote.objects.filter(consultation=consultation, question=question).count()
    codings = AnswerCoding.objects.filter(consultation=consultation, question=question)
    return {
        "answers": answers,
        "notes": notes,
        "total": answers + notes,
        "themes": Theme.objects.filter(consultation=consultation, question=question).count(),
        "coded": codings.count(),
        "reviewed": codings.filter(reviewed=True).count(),
    }


# --------------------------------------------------------------------------------------------
# The codebook


def codebook(consultation, question):
    return list(Theme.objects.filter(consultation=consultation, question=question))


def engine_codebook(book):
    """The codebook as the themes engine takes it."""
    return [themes.Theme(theme=t.key, name=t.name, description=t.description, key_phrases=tuple(t.key_phrases or ()))
            for t in book]


def snake_key(text):
    """A snake_case key made from a name: "Over-reliance on volunteers" -> over_reliance_on_volunteers."""
    key = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")[:KEY_LENGTH].rstrip("_")
    if not key:
        return "theme"
    return key if key[0].isalpha() else f"theme_{key}"[:KEY_LENGTH]


def _unique_key(base, taken):
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key, n = base[: KEY_LENGTH - len(suffix)] + suffix, n + 1
    return key


def parse_phrases(value):
    """Key phrases typed as one text: separated by commas, semicolons or new lines."""
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = re.split(r"[,;\n]", value or "")
    seen, out = set(), []
    for item in items:
        phrase = " ".join(str(item).split())[:80]
        if phrase and phrase.lower() not in seen:
            seen.add(phrase.lower())
            out.append(phrase)
    return out


def check_theme_text(name, description, key=None):
    """The problems with a theme's key, name and description (an empty list when there are none)."""
    problems = []
    if not name:
        problems.append(("name", "Enter the theme's name"))
    elif len(name) > NAME_LENGTH:
        problems.append(("name", f"The theme's name must be {NAME_LENGTH} characters or fewer"))
    if len(description) > DESCRIPTION_LENGTH:
        problems.append(("description", f"The description must be {DESCRIPTION_LENGTH} characters or fewer"))
    if key is not None and (not SNAKE_CASE.match(key) or len(key) > KEY_LENGTH):
        problems.append(("key", f"The key must be snake_case: lower-case letters, digits and underscores, starting "
                                f"with a letter, {KEY_LENGTH} characters or fewer (for example rural_transport)"))
    return problems


def _next_order(consultation, question):
    last = Theme.objects.filter(consultation=consultation, question=question).order_by("-order").first()
    return (last.order + 1) if last else 0


def _create_theme(consultation, question, name, description="", key_phrases=(), key=None,
                  origin=Theme.Origin.OFFICER, order=None, examples=()):
    taken = set(Theme.objects.filter(consultation=consultation, question=question).values_list("key", flat=True))
    if key:
        if key in taken:
            raise ThemeError(f"There is already a theme with the key {key}: choose another key")
    else:
        key = _unique_key(snake_key(name), taken)
    return Theme.objects.create(
        consultation=consultation, question=question, key=key, name=name, description=description,
        key_phrases=list(key_phrases), examples=list(examples), origin=origin,
        order=_next_order(consultation, question) if order is None else order,
    )


def add_theme(consultation, question, user, name, description="", key_phrases=(), key=None):
    """An officer's own theme, added at the end of the codebook."""
    name, description = " ".join(str(name).split()), " ".join(str(description).split())
    key = (key or "").strip() or None
    problems = check_theme_text(name, description, key)
    if problems:
        raise ThemeError(problems[0][1], [p for _, p in problems])
    if Theme.objects.filter(consultation=consultation, question=question).count() >= MAX_THEMES:
        raise ThemeError(f"A question can have at most {MAX_THEMES} themes: merge or delete some first")
    with transaction.atomic():
        try:
            theme = _create_theme(consultation, question, name, description, parse_phrases(key_phrases), key)
        except IntegrityError:
            raise ThemeError(f"There is already a theme with the key {key}: choose another key") from None
        audit.record(user, "themes.theme_added", consultation, question=question, theme=theme.key)
    return theme


def update_theme(theme, user, name, description, key_phrases=None):
    """Rename a theme, or change its description or key phrases (its key stays)."""
    name, description = " ".join(str(name).split()), " ".join(str(description).split())
    problems = check_theme_text(name, description)
    if problems:
        raise ThemeError(problems[0][1], [p for _, p in problems])
    changed = [field for field, value in (("name", name), ("description", description)) if getattr(theme, field) != value]
    theme.name, theme.description = name, description
    if key_phrases is not None:
        phrases = parse_phrases(key_phrases)
        if phrases != list(theme.key_phrases or []):
            changed.append("key_phrases")
        theme.key_phrases = phrases
    with transaction.atomic():
        theme.save()
        audit.record(user, "themes.theme_changed", theme.consultation, question=theme.question, theme=theme.key,
                     fields=changed)
    return theme


def delete_theme(theme, user):
    """Delete a theme. Answers coded with it as their main theme go back to uncoded (even ones an
    officer reviewed); where it was a second theme, the second theme is cleared. Returns how many
    answers went back to uncoded."""
    with transaction.atomic():
        uncoded = theme.codings.count()
        AnswerCoding.objects.filter(second_theme=theme).update(second_theme=None, second_confidence=None)
        key, consultation, question = theme.key, theme.consultation, theme.question
        theme.delete()
        audit.record(user, "themes.theme_deleted", consultation, question=question, theme=key, uncoded=uncoded)
    return uncoded


def merge_themes(source, target, user):
    """Merge `source` into `target`: its answers (reviewed or not) take `target` as their theme,
    its key phrases join target's, and `source` is deleted. Returns how many answers moved."""
    if source.pk == target.pk:
        raise ThemeError("Choose two different themes to merge")
    if (source.consultation_id, source.question) != (target.consultation_id, target.question):
        raise ThemeError("Only themes of the same question can be merged")
    with transaction.atomic():
        moved = source.codings.update(theme=target)
        AnswerCoding.objects.filter(second_theme=source).update(second_theme=target)
        # An answer whose two themes were the two merged now has one theme.
        AnswerCoding.objects.filter(theme=target, second_theme=target).update(second_theme=None, second_confidence=None)
        target.key_phrases = parse_phrases(list(target.key_phrases or []) + list(source.key_phrases or []))
        target.save(update_fields=["key_phrases", "updated_at"])
        key = source.key
        source.delete()
        audit.record(user, "themes.merged", target.consultation, question=target.question, theme=key,
                     into=target.key, moved=moved)
    return moved


def split_theme(theme, user, name, description, coding_ids, key_phrases=()):
    """Split a theme: a new theme takes the chosen answers (codings of `theme`), which count as the
    officer's decisions (reviewed). Returns the new theme."""
    ids = {int(i) for i in coding_ids}
    if not ids:
        raise ThemeError("Choose at least one answer to move to the new theme")
    name, description = " ".join(str(name).split()), " ".join(str(description).split())
    problems = check_theme_text(name, description)
    if problems:
        raise ThemeError(problems[0][1], [p for _, p in problems])
    with transaction.atomic():
        chosen = AnswerCoding.objects.select_for_update().filter(pk__in=ids, theme=theme)
        if chosen.count() != len(ids):
            raise ThemeError("Some of the chosen answers are no longer coded with this theme: choose again")
        new = _create_theme(theme.consultation, theme.question, name, description, parse_phrases(key_phrases))
        now = timezone.now()
        moved = chosen.update(theme=new, reviewed=True, reviewed_by=user if getattr(user, "is_authenticated", False) else None,
                              reviewed_at=now)
        AnswerCoding.objects.filter(pk__in=ids, second_theme=new).update(second_theme=None, second_confidence=None)
        audit.record(user, "themes.split", theme.consultation, question=theme.question, theme=theme.key,
                     new_theme=new.key, moved=moved)
    return new


def has_answers(consultation, question):
    return _answered(consultation, question).exists() or WorkshopNote.objects.filter(
        consultation=consultation, question=question).exists()


def check_propose(consultation, question, replace=False):
    """Refuse proposing themes that could not succeed: the question already has themes (unless
    `replace`), or nobody has answered it."""
    if not replace and Theme.objects.filter(consultation=consultation, question=question).exists():
        raise ThemeError("This question already has themes. Tick the box to replace them, or change them below")
    if not has_answers(consultation, question):
        raise ThemeError("Nobody has answered this question yet, so there are no themes to find")


def check_code(consultation, question):
    """Refuse coding answers that could not succeed: no themes, or no answers."""
    if not Theme.objects.filter(consultation=consultation, question=question).exists():
        raise ThemeError("Add or propose themes before coding the answers")
    if not has_answers(consultation, question):
        raise ThemeError("Nobody has answered this question yet, so there is nothing to code")


def propose_themes(consultation, question, user, max_themes=12, replace=False, embedder=None):
    """Shire's proposed codebook, found from the answers themselves (themes.discover): each theme
    with a name, a one-line description, key phrases and redacted example answers.

    Refused when the question already has themes, unless `replace`: then the old themes and every
    coding of the question are deleted first. Without `replace`, themes an officer added while
    Shire was reading the answers are kept, and the proposal is refused."""
    check_propose(consultation, question, replace)
    comments = comments_for(consultation, question)
    proposed = themes.discover(comments, max_themes=max_themes, embedder=embedder)
    existing = Theme.objects.filter(consultation=consultation, question=question)
    with transaction.atomic():
        if not replace and existing.exists():
            raise ThemeError("Themes were added to this question while Shire was reading the answers, so Shire kept "
                             "them and proposed none. Tick the box to replace them, or carry on with them")
        replaced = existing.count()
        existing.delete()  # their codings go with them
        created = []
        taken = set()
        for order, p in enumerate(proposed):
            key = _unique_key(snake_key(p.theme), taken)
            taken.add(key)
            created.append(Theme.objects.create(
                consultation=consultation, question=question, key=key, name=p.name[:NAME_LENGTH],
                description=p.description[:DESCRIPTION_LENGTH], key_phrases=list(p.key_phrases),
                examples=[redact(e["text"]) for e in p.examples], origin=Theme.Origin.PROPOSED, order=order,
            ))
        audit.record(user, "themes.proposed", consultation, question=question, themes=len(created), replaced=replaced,
                     answers=len(comments))
    return created


def _display_path_errors(error, path, display):
    return str(error).replace(str(path), display)


def import_codebook(consultation, question, user, data, filename):
    """Import a codebook CSV (theme,name,description[,key_phrases]) for `question`.

    The file is checked whole first (theme_files: every problem names the file and row) and
    nothing changes if any row is refused. Themes with a new key are added; a key the question
    already has updates that theme's name, description (and key phrases, if given). Returns
    (added, updated)."""
    display = re.sub(r"[^\w.\- ]", "_", Path(str(filename or "")).name) or "codebook.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / display
        path.write_bytes(data)
        try:
            book = theme_files.read_codebook(path)
            # The row of each theme, for the checks below (the reader skips blank rows).
            rows = [row for row, _ in theme_files._read_rows(path, ("theme", "name", "description"), "a codebook",
                                                            optional=("key_phrases",))]
        except ConsultationError as error:
            message = _display_path_errors(error, path, display)
            raise ThemeError(message) from None
    problems = []
    for row, entry in zip(rows, book):
        for _, problem in check_theme_text(entry.name, entry.description, entry.theme):
            problems.append(f"{display}: row {row}: {problem[0].lower() + problem[1:]} (theme '{entry.theme}')")
    existing = {t.key: t for t in codebook(consultation, question)}
    new_keys = [entry.theme for entry in book if entry.theme not in existing]
    if len(existing) + len(new_keys) > MAX_THEMES:
        problems.append(f"{display}: the codebook would give this question {len(existing) + len(new_keys)} themes; "
                        f"the most is {MAX_THEMES}")
    if problems:
        raise ThemeError(problems[0], problems)
    added = updated = 0
    with transaction.atomic():
        order = _next_order(consultation, question)
        for entry in book:
            theme = existing.get(entry.theme)
            if theme is None:
                Theme.objects.create(consultation=consultation, question=question, key=entry.theme, name=entry.name,
                                     description=entry.description, key_phrases=list(entry.key_phrases),
                                     origin=Theme.Origin.IMPORTED, order=order)
                order += 1
                added += 1
            else:
                theme.name, theme.description = entry.name, entry.description
                if entry.key_phrases:
                    theme.key_phrases = list(entry.key_phrases)
                theme.save()
                updated += 1
        audit.record(user, "themes.imported", consultation, question=question, file=display, added=added, updated=updated)
    return added, updated


def codebook_csv(consultation, question):
    """The question's codebook as a CSV file that `import_codebook` and `shire consult suggest-themes` read."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["theme", "name", "description", "key_phrases"])
    for theme in codebook(consultation, question):
        writer.writerow([theme.key, theme.name, theme.description, "; ".join(theme.key_phrases or [])])
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# Coding the answers


def training_examples(consultation, question):
    """{engine id: theme key} for every answer an officer has reviewed: the engine's examples."""
    rows = (AnswerCoding.objects.filter(consultation=consultation, question=question, reviewed=True)
            .values_list("response_id", "note_id", "theme__key"))
    return {(f"r{r}" if r else f"n{n}"): key for r, n, key in rows}


def code_answers(consultation, question, user=None, embedder=None):
    """Code (or re-code) every answer an officer has not reviewed, with the question's themes.

    themes.suggest gives each answer a main theme, a confidence and a runner-up (stored as the
    second theme, a suggestion until an officer confirms it); the answers an officer has reviewed
    are its training examples and stay as they are. Sentiment comes from themes.sentiment.
    A plain function: it can run in the request or in a background task. Returns
    {"coded", "examples", "themes", "seconds"}.

    Officers may work on the question while the engine runs. An answer reviewed meanwhile keeps
    the officer's decision; a review saved while the results are written waits for them and is
    saved over them (review_coding). Codings are written again under their own ids, so a review
    page opened before the run still corrects the same answers. If a theme the run used was merged
    or deleted meanwhile, nothing is saved."""
    check_code(consultation, question)
    book = codebook(consultation, question)
    comments = comments_for(consultation, question)
    started = time.monotonic()
    examples = training_examples(consultation, question)
    suggestions = themes.suggest(engine_codebook(book), comments, examples, embedder=embedder)
    by_key = {t.key: t for t in book}
    texts = dict(comments)
    now = timezone.now()
    with transaction.atomic():
        # Locked until the results are written: a theme deleted now would leave codings without one.
        if len(Theme.objects.select_for_update().filter(pk__in=[t.pk for t in book])) != len(book):
            raise ThemeError("A theme was merged or deleted while Shire was coding the answers, so Shire saved "
                             "nothing: code the answers again")
        # The question's codings, locked and read again: which are reviewed now, and each one's id.
        current = {(f"r{r}" if r else f"n{n}"): (pk, reviewed) for pk, r, n, reviewed in AnswerCoding.objects
                   .select_for_update().filter(consultation=consultation, question=question)
                   .values_list("pk", "response_id", "note_id", "reviewed")}
        new = []
        for s in suggestions:
            pk, reviewed = current.get(s.id, (None, False))
            if reviewed:
                continue  # the officer's decision stands
            source, answer = s.id[0], int(s.id[1:])
            second = by_key.get(s.second_theme) if s.second_theme and s.second_theme != s.theme else None
            new.append(AnswerCoding(
                pk=pk, consultation=consultation, question=question,
                response_id=answer if source == "r" else None, note_id=answer if source == "n" else None,
                theme=by_key[s.theme], second_theme=second, confidence=s.confidence,
                second_confidence=s.second_confidence if second else None,
                sentiment=themes.sentiment(texts[s.id]), coded_at=now,
            ))
        # Replaced under the same ids (a delete and an insert are far quicker than 10,000 updates);
        # suggestions for answers no longer there go.
        AnswerCoding.objects.filter(consultation=consultation, question=question, reviewed=False).delete()
        AnswerCoding.objects.bulk_create(new, batch_size=1000)
        coded = len(new)
        seconds = round(time.monotonic() - started, 1)
        audit.record(user, "themes.coded", consultation, question=question, coded=coded, examples=len(examples),
                     themes=len(book), seconds=seconds)
    return {"coded": coded, "examples": len(examples), "themes": len(book), "seconds": seconds}


def review_queue(consultation, question, reviewed=False, theme=None):
    """Codings to review, least confident first (reviewed=True: the reviewed ones, newest first)."""
    queue = (AnswerCoding.objects.filter(consultation=consultation, question=question, reviewed=reviewed)
             .select_related("theme", "second_theme", "response", "note__workshop"))
    if theme is not None:
        queue = queue.filter(theme=theme)
    if reviewed:
        return queue.order_by("-reviewed_at", "-id")
    return queue.order_by("confidence", "id")


def review_coding(coding, user, theme, second_theme=None, sentiment=None):
    """An officer's decision on one answer: its main theme, a second theme it also mentions (or
    none) and, optionally, its sentiment. The answer is then reviewed: a training example for the
    next coding run, and its second theme counts in the report. Returns True if the officer
    changed Shire's suggestion."""
    for candidate in (theme, second_theme):
        if candidate is not None and (candidate.consultation_id, candidate.question) != (coding.consultation_id, coding.question):
            raise ThemeError("Choose one of this question's themes")
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ThemeError("Choose agree, disagree, mixed or unclear")
    if second_theme is not None and second_theme.pk == theme.pk:
        second_theme = None
    suggested = coding.theme.key
    changed = coding.theme_id != theme.pk or (sentiment is not None and sentiment != coding.sentiment)
    coding.theme = theme
    coding.second_theme = second_theme
    coding.second_confidence = None
    if sentiment is not None:
        coding.sentiment = sentiment
    first_review = not coding.reviewed
    coding.reviewed = True
    coding.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    coding.reviewed_at = timezone.now()
    decision = {field: getattr(coding, field) for field in (
        "theme", "second_theme", "second_confidence", "sentiment", "reviewed", "reviewed_by", "reviewed_at")}
    with transaction.atomic():
        # An update, not save(): a coding run writing now replaces this coding under the same id.
        # On PostgreSQL the update waits for the run, misses the replaced row, and finds the new
        # one when tried again (save() would insert a second coding of the answer instead).
        if not any(AnswerCoding.objects.filter(pk=coding.pk).update(**decision) for _ in range(2)):
            raise ThemeError("This answer's coding has just gone (its theme was deleted, or the themes replaced): "
                             "find the answer again")
        audit.record(user, "themes.answer_reviewed", coding, question=coding.question, theme=theme.key,
                     second_theme=second_theme.key if second_theme else "", suggested=suggested, changed=changed,
                     first_review=first_review)
    return changed


def record_officer_coding(consultation, question, user, decisions, note_decisions=()):
    """An officer's coding of answers done outside Shire (as a council that coded its answers
    before publishing has it): `decisions` is [(response reference, theme key, second theme key or
    "")] for online answers, `note_decisions` [(workshop note, theme key, second theme key or "")].
    Each answer gets a reviewed coding by `user`, replacing any it had, so it counts in the report
    and teaches the next coding run; its sentiment is themes.sentiment's. All is checked first: a
    reference to no response, a response with no answer to the question, a note of another
    question, an answer given twice or a key that is not one of the question's themes is refused
    naming its row (or note), and nothing changes. Returns how many answers were coded."""
    by_key = {t.key: t for t in codebook(consultation, question)}
    answers = {response_id: (pk, text) for pk, response_id, text
               in _with_answer_text(consultation, question).values_list("pk", "response_id", "theme_text")}
    problems, seen, new = [], set(), []
    now = timezone.now()
    reviewer = user if getattr(user, "is_authenticated", False) else None

    def decide(where, key, second_key, text, **answer):
        if not key:
            problems.append(f"{where}: the answer's theme is missing")
        for value in (key, second_key):
            if value and value not in by_key:
                problems.append(f"{where}: '{value}' is not one of this question's themes")
        if not problems:
            second = by_key[second_key] if second_key and second_key != key else None
            new.append(AnswerCoding(consultation=consultation, question=question, theme=by_key[key],
                                    second_theme=second, sentiment=themes.sentiment(text), reviewed=True,
                                    reviewed_by=reviewer, reviewed_at=now, coded_at=now, **answer))

    for row, (reference, key, second_key) in enumerate(decisions, 1):
        pk, text = answers.get(reference, (None, None))
        if pk is None:
            problems.append(f"Row {row}: there is no response {reference}")
        elif not (isinstance(text, str) and text.strip()):
            problems.append(f"Row {row}: response {reference} has no answer to this question")
        elif reference in seen:
            problems.append(f"Row {row}: response {reference} is coded twice")
        seen.add(reference)
        decide(f"Row {row}", key, second_key, text, response_id=pk)
    for number, (note, key, second_key) in enumerate(note_decisions, 1):
        if (note.consultation_id, note.question) != (consultation.pk, question):
            problems.append(f"Note {number}: it is not a workshop note about this question")
        elif ("note", note.pk) in seen:
            problems.append(f"Note {number}: it is coded twice")
        seen.add(("note", note.pk))
        decide(f"Note {number}", key, second_key, note.text, note_id=note.pk)
    if problems:
        raise ThemeError(problems[0], problems)
    with transaction.atomic():
        AnswerCoding.objects.filter(consultation=consultation, question=question).filter(
            Q(response_id__in=[c.response_id for c in new if c.response_id])
            | Q(note_id__in=[c.note_id for c in new if c.note_id])).delete()
        AnswerCoding.objects.bulk_create(new, batch_size=1000)
        audit.record(user, "themes.officer_coding_recorded", consultation, question=question,
                     coded=sum(1 for c in new if c.response_id), notes_coded=sum(1 for c in new if c.note_id))
    return len(new)


# --------------------------------------------------------------------------------------------
# Workshop notes


def add_workshop_notes(consultation, question, user, workshop_name, text):
    """Add notes from a workshop, one note a non-blank line; the workshop is made if new.
    Returns the notes."""
    name = " ".join(str(workshop_name or "").split())
    lines = [" ".join(line.split()) for line in str(text or "").splitlines()]
    lines = [line for line in lines if line]
    problems = []
    if not name:
        problems.append("Enter the workshop's name")
    elif len(name) > 120:
        problems.append("The workshop's name must be 120 characters or fewer")
    elif name.lower() == "total":
        problems.append("Call the workshop something other than 'total', which the report uses for the totals")
    if not lines:
        problems.append("Enter at least one note, one a line")
    for number, line in enumerate(lines, 1):
        if len(line) > NOTE_LENGTH:
            problems.append(f"Note {number} must be {NOTE_LENGTH:,} characters or fewer")
    if problems:
        raise ThemeError(problems[0], problems)
    with transaction.atomic():
        try:
            workshop, created = Workshop.objects.get_or_create(consultation=consultation, name=name)
        except IntegrityError:
            workshop, created = Workshop.objects.get(consultation=consultation, name=name), False
        if created:
            audit.record(user, "workshop.created", workshop, name=name)
        notes = WorkshopNote.objects.bulk_create(
            WorkshopNote(consultation=consultation, workshop=workshop, question=question, text=line) for line in lines)
        audit.record(user, "themes.notes_added", consultation, question=question, workshop=workshop.name, notes=len(notes))
    return notes


def remove_workshop_note(note, user):
    with transaction.atomic():
        consultation, question, workshop = note.consultation, note.question, note.workshop.name
        note.delete()
        audit.record(user, "themes.note_removed", consultation, question=question, workshop=workshop)


# --------------------------------------------------------------------------------------------
# The report's figures


def theme_figures(consultation, question, embedder=None):
    """The report's themes for one free-text question, or None if it has no themes.

    Returns {"themes": [...], "theme_coding": {...}}: for each theme its key (`theme`), name,
    description, `count` (online answers that mention it: main theme, or a second theme an officer
    confirmed), `percent` of those who answered, `second_mentions` (the part of count from second
    themes), `sentiment` (agree/disagree/mixed/unclear among those answers), `quotes` (two or three
    typical answers, redacted) and `workshop_count` (workshop notes that mention it), largest first.
    """
    book = codebook(consultation, question)
    if not book:
        return None
    answers = online_answers(consultation, question)
    base = len(answers)
    texts = {f"r{pk}": text for pk, text in answers}
    by_pk = {t.pk: t for t in book}
    figures = {t.pk: {"count": 0, "second": 0, "sentiment": Counter(), "workshop": 0} for t in book}
    candidates = {t.pk: [] for t in book}
    coded = reviewed = notes_coded = 0
    rows = (AnswerCoding.objects.filter(consultation=consultation, question=question)
            .values_list("response_id", "note_id", "theme_id", "second_theme_id", "reviewed", "sentiment", "confidence"))
    for response_id, note_id, theme_id, second_id, is_reviewed, sentiment, confidence in rows:
        mentions = [theme_id] + ([second_id] if is_reviewed and second_id and second_id != theme_id else [])
        if response_id is not None:
            if f"r{response_id}" not in texts:
                continue
            coded += 1
            reviewed += bool(is_reviewed)
            for position, pk in enumerate(mentions):
                figures[pk]["count"] += 1
                figures[pk]["sentiment"][sentiment] += 1
                figures[pk]["second"] += position > 0
            candidates[theme_id].append((not is_reviewed, -(confidence or 0.0), response_id))
        else:
            notes_coded += 1
            for pk in mentions:
                figures[pk]["workshop"] += 1
    assignments = {}
    for pk, pool in candidates.items():
        for _, _, response_id in sorted(pool)[:QUOTE_POOL]:
            assignments[f"r{response_id}"] = by_pk[pk].key
    quotes = {}
    if assignments:
        chosen = [(identifier, texts[identifier]) for identifier in assignments]
        quotes = themes.representative_quotes(chosen, assignments, k=QUOTES_PER_THEME, embedder=embedder)
    entries = []
    for position, theme in enumerate(book):
        f = figures[theme.pk]
        entries.append({
            "theme": theme.key,
            "name": theme.name,
            "description": theme.description,
            "count": f["count"],
            "percent": analysis.percent(f["count"], base),
            "second_mentions": f["second"],
            "sentiment": {s: f["sentiment"].get(s, 0) for s in SENTIMENTS},
            "quotes": [redact(q["text"]) for q in quotes.get(theme.key, [])],
            "workshop_count": f["workshop"],
            "_order": position,
        })
    entries.sort(key=lambda e: (-e["count"], -e["workshop_count"], e["_order"]))
    for entry in entries:
        del entry["_order"]
    notes = WorkshopNote.objects.filter(consultation=consultation, question=question).count()
    return {
        "themes": entries,
        "theme_coding": {"answers": base, "coded": coded, "reviewed": reviewed,
                         "workshop_notes": notes, "workshop_notes_coded": notes_coded},
    }


def _small(value, threshold):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value < threshold


def _suppress_table(cells, threshold):
    """Hide counts from 1 to threshold−1 in a {name: count} table; where that hides exactly one,
    hide the smallest other too, so it cannot be worked out by subtraction. Returns the hidden names."""
    hidden = {name for name, value in cells.items() if _small(value, threshold)}
    if len(hidden) == 1 and len(cells) > 1:
        visible = [(value, position, name) for position, (name, value) in enumerate(cells.items())
                   if name not in hidden and isinstance(value, int)]
        if visible:
            hidden.add(min(visible)[2])
    return hidden


def suppress_theme_figures(figures, threshold=PUBLIC_THRESHOLD):
    """The themes for a public page: theme counts (and their sentiment and second-mention counts)
    from 1 to threshold−1 become "fewer than 5", a count hidden only to protect another becomes
    "not shown" (as analysis.suppress_small does), and a theme whose count is hidden has no quotes.
    Workshop notes are not suppressed (they were said at public meetings)."""
    marker, not_shown = f"fewer than {threshold}", analysis.NOT_SHOWN

    def shown(value):
        return marker if _small(value, threshold) else not_shown

    entries = figures["themes"]
    hidden = _suppress_table({e["theme"]: e["count"] for e in entries}, threshold)
    for entry in entries:
        if entry["theme"] in hidden:
            small = _small(entry["count"], threshold)
            entry["count"] = entry["percent"] = shown(entry["count"])
            entry["second_mentions"] = shown(entry["second_mentions"]) if entry["second_mentions"] else 0
            entry["sentiment"] = {s: (shown(v) if v else 0) for s, v in entry["sentiment"].items()}
            if small:
                entry["quotes"] = []
            continue
        if _small(entry["second_mentions"], threshold):
            entry["second_mentions"] = marker
        for s in _suppress_table(entry["sentiment"], threshold):
            entry["sentiment"][s] = shown(entry["sentiment"][s])
    coding = figures["theme_coding"]
    for key in ("answers", "coded", "reviewed"):
        if _small(coding[key], threshold):
            coding[key] = marker
    return figures


def add_themes_to_report(consultation, report, public=False, embedder=None):
    """Add `themes` and `theme_coding` to each free-text question of `report` that has themes
    (on a public report, once some of its online answers are coded)."""
    names = set(Theme.objects.filter(consultation=consultation).values_list("question", flat=True).distinct())
    for name, question in report.get("questions", {}).items():
        if question.get("type") != "text" or name not in names:
            continue
        figures = theme_figures(consultation, name, embedder=embedder)
        if figures is None:
            continue
        if public:
            # A codebook with no online answer coded yet says nothing to the public (every count 0).
            if not figures["theme_coding"]["coded"]:
                continue
            figures = suppress_theme_figures(figures)
        question.update(figures)
    return report
