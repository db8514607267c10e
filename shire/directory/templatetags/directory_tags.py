"""Small template helpers for the directory's pages."""
from html import escape

from django import forms, template
from django.utils.safestring import mark_safe

from shire.directory import services
from shire.directory.forms import KeptChoices

register = template.Library()


@register.filter
def schedule_text(schedule):
    """An opening time or session in words, like "Every Tuesday, 10am to midday"."""
    return services.describe_schedule(schedule)


@register.filter
def ages(service):
    return service.ages_label()


@register.filter
def money(pence):
    """Pence as pounds: 250 → £2.50, 500 → £5."""
    if pence is None:
        return ""
    pounds, remainder = divmod(int(pence), 100)
    return f"£{pounds:,}" if remainder == 0 else f"£{pounds:,}.{remainder:02d}"


@register.simple_tag
def field_input_id(bound):
    """The id of a field's first input, for error summary links and labels."""
    from shire.directory.forms import first_input_id

    return first_input_id(bound)


@register.filter
def web_url(value):
    """The address if it is an http(s) web address, else nothing: no javascript: or data: links on a page."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


_OPTIONS_HTML = {}


@register.simple_tag
def select_options(bound):
    """A select's <option>s (and <optgroup>s), the chosen ones selected.

    Quicker than Django's widget templates: a plain ChoiceField's options are built once (escaped)
    and kept, with the search form's KeptChoices or else keyed by the choices themselves, and the
    chosen value marked in a copy.
    """
    chosen = chosen_values(bound)
    choices = bound.field.choices
    if isinstance(bound.field, forms.ModelChoiceField):
        return mark_safe(_options_html(choices, chosen))
    if isinstance(choices, KeptChoices):  # the search form's: the HTML is kept with the choices
        if choices.options_html is None:
            choices.options_html = _options_html(choices, [])
        options = choices.options_html
    else:
        key = tuple((choice, tuple(label) if isinstance(label, (list, tuple)) else label) for choice, label in choices)
        options = _OPTIONS_HTML.get(key)
        if options is None:
            if len(_OPTIONS_HTML) > 50:
                _OPTIONS_HTML.clear()
            options = _OPTIONS_HTML[key] = _options_html(choices, [])
    return mark_safe(mark_chosen(options, chosen))


def chosen_values(bound):
    """The values chosen in a bound select, as text."""
    value = bound.value()
    return [str(item) for item in (value if isinstance(value, (list, tuple)) else [value]) if item is not None]


def mark_chosen(options, chosen):
    """`options` (HTML made with nothing chosen) with the options whose values are in `chosen` selected."""
    for item in chosen:
        marker = f'<option value="{escape(item)}">'
        options = options.replace(marker, marker[:-1] + " selected>", 1)
    return options


def _options_html(choices, chosen):
    def option(choice, label):
        choice = "" if choice is None else str(choice)
        selected = " selected" if choice in chosen else ""
        return f'<option value="{escape(choice)}"{selected}>{escape(str(label))}</option>'

    parts = []
    for choice, label in choices:
        if isinstance(label, (list, tuple)):
            inner = "".join(option(value, text) for value, text in label)
            parts.append(f'<optgroup label="{escape(str(choice))}">{inner}</optgroup>')
        else:
            parts.append(option(choice, label))
    return "".join(parts)
