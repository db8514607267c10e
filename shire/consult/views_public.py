"""The public consultation pages: the list, a consultation, answering its questionnaire, drafts.

The same views serve an officer's preview (`preview=True`): same templates, a banner, the
consultation's status and dates ignored, answers kept in a preview draft, and nothing stored.
The rules are in questionnaire.py (what applies and what is valid) and services.py (storing).
"""
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import expressions, services
from . import questionnaire as q
from .forms_public import ResumeEmailForm, error_summary, page_blocks, question_types
from .models import Consultation, Draft, hash_token

DRAFT_COOKIE_AGE = 60 * 60 * 24 * 180  # long enough to outlast any consultation's answering period
RECEIPT_SALT = "shire.consult.sent"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mode:
    preview: bool

    def url(self, name, consultation, *args):
        prefix = "preview-" if self.preview else ""
        return reverse(f"consult:{prefix}{name}", args=[consultation.slug, *args])

    def page_url(self, consultation, index, returning=False, check=False):
        url = self.url("page", consultation, index + 1)
        params = [p for p, on in (("return=check", returning), ("check=1", check)) if on]
        return url + ("?" + "&".join(params) if params else "")

    def cookie_name(self, consultation):
        return f"shire_{'preview' if self.preview else 'draft'}_{consultation.pk}"


PUBLIC, PREVIEW = Mode(False), Mode(True)


def _mode(preview):
    return PREVIEW if preview else PUBLIC


# --- finding the consultation ---------------------------------------------------------------

def _published(slug):
    return get_object_or_404(Consultation.objects.select_related("team"), slug=slug, status=Consultation.Status.PUBLISHED)


def _refusal(request, consultation, status=403):
    """The page for a consultation that does not take responses now (403)."""
    return render(request, "consult/public/refused.html", {"consultation": consultation, "phase": consultation.phase()}, status=status)


def _answering(request, slug, mode):
    """(consultation, None) when this person may answer it now, else (consultation or None, a response)."""
    if mode.preview:
        if not request.user.is_authenticated:
            return None, redirect_to_login(request.get_full_path())
        consultation = get_object_or_404(Consultation.objects.select_related("team"), slug=slug)
        if not services.can_manage(request.user, consultation):
            raise PermissionDenied
    else:
        consultation = _published(slug)
        if not consultation.is_open():
            return consultation, _refusal(request, consultation)
    if not hasattr(consultation, "questionnaire") or not q.pages(consultation.questionnaire.definition):
        raise Http404("This consultation has no questionnaire.")
    return consultation, None


# --- drafts ---------------------------------------------------------------------------------

def _draft(request, consultation, mode):
    token = request.COOKIES.get(mode.cookie_name(consultation))
    if not token:
        return None, None
    draft = Draft.objects.filter(consultation=consultation, token_hash=hash_token(token), is_preview=mode.preview).first()
    return (draft, token) if draft else (None, None)


def _save_draft(consultation, mode, draft, token, answers):
    if draft is None:
        token = secrets.token_urlsafe(32)
        draft = Draft(consultation=consultation, token_hash=hash_token(token), is_preview=mode.preview)
    draft.answers = answers
    draft.save()
    return draft, token


def _cookie_path(consultation):
    return reverse("consult:detail", args=[consultation.slug])


def _set_cookie(response, consultation, mode, token):
    response.set_cookie(
        mode.cookie_name(consultation), token, max_age=DRAFT_COOKIE_AGE, path=_cookie_path(consultation),
        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _forget_cookie(response, consultation, mode):
    response.delete_cookie(mode.cookie_name(consultation), path=_cookie_path(consultation), samesite="Lax")
    return response


def _resume_url(consultation, mode, answers):
    """Where someone coming back carries on: the first page still needing an answer, the page
    after the last one they answered, or check your answers."""
    checks = [check for check in q.check_pages(consultation.questionnaire.definition, answers) if check.visible]
    if not checks:
        return mode.url("check", consultation)
    answered = [check for check in checks if any(name in answers for name in check.relevant)]
    if not answered:
        return mode.page_url(consultation, checks[0].index)
    last = answered[-1].index
    for check in checks:
        if check.errors and check.index <= last:
            return mode.page_url(consultation, check.index)
    later = [check for check in checks if check.index > last]
    return mode.page_url(consultation, later[0].index) if later else mode.url("check", consultation)


# --- the list and a consultation ------------------------------------------------------------

def consultation_list(request):
    today = timezone.localdate()
    sections = {"open": [], "upcoming": [], "closed": []}
    for consultation in Consultation.objects.filter(status=Consultation.Status.PUBLISHED).order_by("closes_on", "title"):
        sections[consultation.phase(today)].append(consultation)
    sections["upcoming"].sort(key=lambda c: (c.opens_on, c.title))
    sections["closed"].sort(key=lambda c: (c.closes_on, c.title), reverse=True)
    return render(request, "consult/public/list.html", {"sections": sections})


def _detail(request, consultation, mode):
    has_questions = hasattr(consultation, "questionnaire") and bool(q.pages(consultation.questionnaire.definition))
    draft = _draft(request, consultation, mode)[0] if has_questions else None
    return render(request, "consult/public/detail.html", {
        "consultation": consultation,
        "phase": consultation.phase(),
        "can_answer": has_questions and (mode.preview or consultation.is_open()),
        "has_draft": bool(draft and draft.answers),
        "start_url": mode.url("start", consultation),
        "mode": mode,
    })


def consultation_detail(request, slug):
    return _detail(request, _published(slug), PUBLIC)


def preview_detail(request, slug):
    consultation, refused = _answering(request, slug, PREVIEW)
    return refused or _detail(request, consultation, PREVIEW)


def document(request, slug):
    """The consultation document: public once published, and to the team's officers before."""
    consultation = get_object_or_404(Consultation, slug=slug)
    if not consultation.is_published and not services.can_manage(request.user, consultation):
        raise Http404
    if not consultation.document:
        raise Http404
    try:
        handle = consultation.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type="application/pdf", filename=f"{consultation.slug}.pdf")


# --- answering ------------------------------------------------------------------------------

def start(request, slug, preview=False):
    mode = _mode(preview)
    consultation, refused = _answering(request, slug, mode)
    if refused:
        return refused
    draft, _ = _draft(request, consultation, mode)
    return redirect(_resume_url(consultation, mode, draft.answers if draft else {}))


def _previous_url(consultation, mode, checks, index, returning):
    if returning:
        return mode.url("check", consultation)
    earlier = [check for check in checks if check.visible and check.index < index]
    if earlier:
        return mode.page_url(consultation, earlier[-1].index)
    return mode.url("detail", consultation)


def _render_page(request, consultation, mode, checks, index, values, errors, returning, extra=()):
    check = checks[index]
    page = q.piped_page(consultation.questionnaire.definition, index, values)
    blocks = page_blocks(page, values, errors, set(check.relevant), keep_shown=set(extra))
    conditional = any(block["conditional"] for block in blocks)
    question_blocks = [b for b in blocks if b["kind"] != "note"]
    visible = [c.index for c in checks if c.visible]
    heading_block = question_blocks[0] if not page.get("label") and len(question_blocks) == 1 and question_blocks[0]["kind"] != "likert" else None
    if heading_block:
        heading_block["is_heading"] = True
    return render(request, "consult/public/page.html", {
        "consultation": consultation,
        "mode": mode,
        "page": page,
        "number": index + 1,
        "page_position": visible.index(index) + 1 if index in visible else None,
        "page_count": len(visible),
        "blocks": blocks,
        "errors": error_summary(blocks),
        "heading": page.get("label") or ("" if heading_block else consultation.title),
        "title": page.get("label") or (heading_block["label"] if heading_block else consultation.title),
        "extra": list(extra),
        "returning": returning,
        "back_url": _previous_url(consultation, mode, checks, index, returning),
        "action_url": mode.url("page", consultation, index + 1),
        "has_rank": any(b["kind"] == "rank" for b in blocks),
        "relevance": _relevance_data(consultation.questionnaire.definition, checks, index, values) if conditional else None,
        "has_wide": any(b["kind"] == "likert" for b in blocks),
    })


def _relevance_data(definition, checks, index, values):
    """What consult-relevance.js needs to decide, as answers change, which of a page's questions
    apply: the page's question types, and the answers from other pages its conditions refer to
    (this person's own answers, as the server would use them)."""
    page = checks[index].page
    on_page = {item.get("name") for item in page.get("items") or []}
    kept_before = {}
    for check in checks[:index]:
        kept_before.update(check.kept)
    referred = set()
    for item in page.get("items") or []:
        if q.same_page_references(page, item):
            referred |= expressions.references(item["relevant"])
    answers = {}
    for name in sorted(referred - on_page):
        where = q.page_of(definition, name)
        source = kept_before if where is not None and where < index else values
        if name in source:
            answers[name] = source[name]
    return {"types": question_types(page), "answers": answers}


@require_http_methods(["GET", "POST"])
def answer_page(request, slug, number, preview=False):
    mode = _mode(preview)
    consultation, refused = _answering(request, slug, mode)
    if refused:
        return refused
    definition = consultation.questionnaire.definition
    all_pages = q.pages(definition)
    if not 1 <= number <= len(all_pages):
        raise Http404
    index = number - 1
    page = all_pages[index]
    draft, token = _draft(request, consultation, mode)
    stored = dict(draft.answers) if draft else {}
    returning = (request.POST if request.method == "POST" else request.GET).get("return") == "check"

    if request.method == "GET":
        checks = q.check_pages(definition, stored)
        if not checks[index].visible:
            return redirect(_resume_url(consultation, mode, stored))
        errors = checks[index].errors if request.GET.get("check") else {}
        return _render_page(request, consultation, mode, checks, index, stored, errors, returning)

    names = {item.get("name") for item in page.get("items") or []}
    answers = {name: value for name, value in stored.items() if name not in names}
    raw = q.read_page(page, request.POST)
    answers.update(raw)
    checks = q.check_pages(definition, answers)
    check = checks[index]
    if not check.visible:  # routing says this page does not apply: nothing on it is kept
        return redirect(_resume_url(consultation, mode, stored))
    to_keep = {name: value for name, value in stored.items() if name not in names}
    to_keep.update(check.kept)

    if request.POST.get("action") == "save":
        draft, token = _save_draft(consultation, mode, draft, token, to_keep)
        return _set_cookie(redirect(mode.url("save", consultation)), consultation, mode, token)

    shown = set(request.POST.getlist("shown")) if "shown" in request.POST else set(check.relevant)
    extra = [name for name in check.relevant if name not in shown]
    if check.errors or extra:
        # Show the page again with what was typed; a question that the answers on this page have
        # just made relevant is shown for the first time, without an error.
        errors = {name: message for name, message in check.errors.items() if name not in extra}
        return _render_page(request, consultation, mode, checks, index, answers, errors, returning, extra=extra)

    draft, token = _save_draft(consultation, mode, draft, token, to_keep)
    if returning:
        target = mode.url("check", consultation)
    else:
        later = [c for c in q.check_pages(definition, to_keep) if c.visible and c.index > index]
        target = mode.page_url(consultation, later[0].index) if later else mode.url("check", consultation)
    return _set_cookie(redirect(target), consultation, mode, token)


def _summary(consultation, mode, checks, kept):
    sections = []
    for check in checks:
        if not check.visible:
            continue
        rows = []
        page = q.piped_page(consultation.questionnaire.definition, check.index, kept)
        for item in page.get("items") or []:
            if item.get("name") not in check.relevant or item.get("type") not in q.ANSWERABLE_TYPES:
                continue
            rows.append({
                "name": item["name"],
                "label": item.get("label") or item["name"],
                "lines": q.format_answer(item, kept.get(item["name"])),
                "is_list": item.get("type") in ("select_multiple", "rank"),
                "change_url": mode.page_url(consultation, check.index, returning=True) + f"#{item['name']}",
            })
        if rows:
            sections.append({"label": page.get("label") or "", "rows": rows})
    return sections


def _first_failing_page(definition, errors):
    return min(q.page_of(definition, name) for name in errors)


@require_http_methods(["GET", "POST"])
def check_answers(request, slug, preview=False):
    mode = _mode(preview)
    consultation, refused = _answering(request, slug, mode)
    if refused:
        return refused
    definition = consultation.questionnaire.definition
    draft, token = _draft(request, consultation, mode)
    if draft is None:
        return redirect(mode.url("start", consultation))

    if request.method == "POST":
        # Whatever the browser sends, the answers sent are the draft's, checked again in full.
        try:
            response, errors = services.submit_draft(consultation, draft.pk)
        except Draft.DoesNotExist:
            return redirect(mode.url("start", consultation))
        if errors:
            return redirect(mode.page_url(consultation, _first_failing_page(definition, errors), returning=True, check=True))
        if mode.preview:
            target = mode.url("sent", consultation)
        else:
            receipt = signing.dumps({"c": consultation.pk, "r": response.response_id}, salt=RECEIPT_SALT)
            target = reverse("consult:sent", args=[consultation.slug, receipt])
        return _forget_cookie(redirect(target), consultation, mode)

    kept, errors = q.clean_answers(definition, draft.answers)
    if errors:
        return redirect(mode.page_url(consultation, _first_failing_page(definition, errors), returning=True, check=True))
    checks = q.check_pages(definition, draft.answers)
    last = [c for c in checks if c.visible][-1]
    return render(request, "consult/public/check.html", {
        "consultation": consultation,
        "mode": mode,
        "sections": _summary(consultation, mode, checks, kept),
        "back_url": mode.page_url(consultation, last.index),
        "action_url": mode.url("check", consultation),
    })


def sent(request, slug, receipt):
    consultation = _published(slug)
    try:
        data = signing.loads(receipt, salt=RECEIPT_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if data.get("c") != consultation.pk:
        raise Http404
    return render(request, "consult/public/sent.html", {"consultation": consultation, "reference": data["r"], "mode": PUBLIC})


def preview_sent(request, slug):
    consultation, refused = _answering(request, slug, PREVIEW)
    return refused or render(request, "consult/public/sent.html", {"consultation": consultation, "reference": None, "mode": PREVIEW})


# --- save and come back later ---------------------------------------------------------------

def _answers_text(consultation, answers):
    """The answers given so far as plain text, page by page, for the e-mailed copy."""
    definition = consultation.questionnaire.definition
    checks = q.check_pages(definition, answers)
    kept = {}
    for check in checks:
        kept.update(check.kept)
    sections = _summary(consultation, PUBLIC, checks, kept)
    for section in sections:
        for row in section["rows"]:  # one line of text a line, so every line is indented alike
            row["lines"] = [part for line in row["lines"] for part in line.split("\n")]
    return sections


@require_http_methods(["GET", "POST"])
def save(request, slug, preview=False):
    mode = _mode(preview)
    consultation, refused = _answering(request, slug, mode)
    if refused:
        return refused
    draft, token = _draft(request, consultation, mode)
    if draft is None:
        return redirect(mode.url("start", consultation))
    context = {
        "consultation": consultation,
        "mode": mode,
        "continue_url": _resume_url(consultation, mode, draft.answers),
        "action_url": mode.url("save", consultation),
        "sent_to": None,
        "not_sent_link": None,
    }
    form = ResumeEmailForm(request.POST if request.method == "POST" and not mode.preview else None)
    if form.is_bound and form.is_valid():
        address = form.cleaned_data["email"]
        link = request.build_absolute_uri(reverse("consult:resume", args=[consultation.slug, token]))
        body = render_to_string("consult/public/email/resume.txt", {
            "consultation": consultation,
            "link": link,
            "sections": _answers_text(consultation, draft.answers),
        })
        # Sent now, not in the background: the respondent is waiting for it, and if it cannot go
        # they are told at once and given the link here instead.
        try:
            send_mail(f"Your answers to {consultation.title}", body, settings.DEFAULT_FROM_EMAIL, [address])
        except OSError as error:  # the mail server refused or could not be reached (smtplib's errors are OSErrors)
            # The kind of error only: its message can quote the address, and the link holds the draft's secret.
            log.error("Resume link for a draft of consultation %s not e-mailed (%s)", consultation.pk, type(error).__name__)
            context["not_sent_link"] = link
        else:
            draft.email = address  # kept only once the e-mail has gone, until the response is sent
            draft.save(update_fields=["email", "updated_at"])
            context["sent_to"] = address
            form = ResumeEmailForm()
    context["form"] = form
    return render(request, "consult/public/save.html", context)


def resume(request, slug, token):
    """The e-mailed link: set the draft's cookie on this device and carry on.

    Every answer here is a 200 page, never a 4xx: Django logs refused requests with their path,
    and this path holds the draft's secret.
    """
    consultation = Consultation.objects.filter(slug=slug, status=Consultation.Status.PUBLISHED).select_related("questionnaire").first()
    if consultation is not None and not consultation.is_open():
        return _refusal(request, consultation, status=200)
    draft = None
    if consultation is not None and hasattr(consultation, "questionnaire"):
        draft = Draft.objects.filter(consultation=consultation, token_hash=hash_token(token), is_preview=False).first()
    if draft is None:
        return render(request, "consult/public/resume_invalid.html", {"consultation": consultation})
    return _set_cookie(redirect(_resume_url(consultation, PUBLIC, draft.answers)), consultation, PUBLIC, token)
