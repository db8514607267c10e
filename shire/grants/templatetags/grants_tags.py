"""Template helpers for the grants pages: money in pounds and GOV.UK field rendering."""
from django import forms, template

from shire.consult.forms_staff import DateBoundField

from .. import services

register = template.Library()


@register.filter
def pounds(pence):
    """123450 -> £1,234.50; 100000 -> £1,000; None -> ''."""
    return services.pounds(pence)


@register.filter
def thousands(number):
    """1000 -> 1,000."""
    return f"{number:,}"


@register.filter
def field_kind(field):
    """Which GOV.UK component renders `field`: date, radios, checkboxes, checkbox, select, textarea, file, password or input."""
    if isinstance(field, DateBoundField):
        return "date"
    widget = field.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is asked about first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.EmailInput):
        return "email"
    return "input"


@register.filter
def widget_attr(field, name):
    return field.field.widget.attrs.get(name, "")


@register.filter
def selected_values(field):
    """The field's value(s) as strings, to mark chosen options."""
    value = field.value()
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


@register.filter
def options(field):
    """(value, label, id) for each choice of a radios, checkboxes or select field."""
    result = []
    for index, (value, label) in enumerate(field.field.choices):
        value = getattr(value, "value", value)  # ModelChoiceIteratorValue
        result.append({"value": "" if value is None else str(value), "label": label, "id": f"{field.auto_id}_{index}"})
    return result
