"""Small template helpers for the directory's pages."""
from django import template

from shire.directory import services

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
