"""Template helpers for paged lists."""
from django import template

register = template.Library()


@register.filter
def page_numbers(page):
    """The page numbers to link from `page` (a Django Page): both ends and two either side of it,
    with Paginator.ELLIPSIS for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
