"""The shared GOV.UK pagination partial."""
import pytest
from django.core.paginator import Paginator
from django.template import RequestContext
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.test import RequestFactory

from shire.core.templatetags.pages import page_link_maker, page_numbers


def test_page_numbers_are_both_ends_and_two_either_side_of_the_current_page():
    page = Paginator(range(100), 5).page(10)  # 20 pages
    ellipsis = page.paginator.ELLIPSIS
    assert list(page_numbers(page)) == [1, ellipsis, 8, 9, 10, 11, 12, ellipsis, 20]


def test_links_keep_the_other_parameters_and_mark_the_current_page():
    request = RequestFactory().get("/list/", {"q": "<b>hall</b>", "page": "2"})
    page = Paginator(range(30), 10).page(2)
    html = render_to_string("core/_pagination.html", {"page": page, "what": "results"}, request=request)
    assert 'aria-label="Pages of results"' in html
    assert 'href="?q=%3Cb%3Ehall%3C%2Fb%3E&amp;page=3" rel="next"' in html
    assert 'href="?q=%3Cb%3Ehall%3C%2Fb%3E&amp;page=1" rel="prev"' in html
    assert 'aria-current="page">2<' in html and "<b>" not in html


def test_nothing_when_everything_fits_on_one_page():
    request = RequestFactory().get("/list/")
    page = Paginator(range(3), 10).page(1)
    assert render_to_string("core/_pagination.html", {"page": page}, request=request).strip() == ""


@pytest.mark.parametrize("query", [
    "", "page=3", "q=hall&page=2&district=blaby", "page=2&q=a+b", "access=step-free&access=toilet&page=9",
    "q=caf%C3%A9&page=x&page=4", "pagesize=3&q=%00", "q=%26page%3D1",
])
def test_page_links_are_what_querystring_writes(query):
    """The tag makes every link from one encoding of the query; `{% querystring page=N %}` is the rule."""
    request = RequestFactory().get(f"/list/?{query}")
    link = page_link_maker(request.GET)
    for number in (1, 2, 17):
        assert link(number) == querystring(RequestContext(request), page=number)
