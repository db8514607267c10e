"""Searching the directory: words, every filter, order, paging, the map, and odd input that must never fail."""
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from shire.directory import services
from shire.directory.models import Accessibility, Organization, Service

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    """A small directory: two districts, categories and needs, places with and without step-free access."""
    blaby = factories.district("Blaby", "E07000129")
    melton = factories.district("Melton", "E07000133")
    desford = factories.parish("Desford", blaby)
    asfordby = factories.parish("Asfordby", melton)
    food = factories.term("food", "Food support")
    health = factories.term("health", "Health and wellbeing")
    sport = factories.term("physical-activity", "Sport and physical activity", parent=health)
    older = factories.term("older-people", "Older people", audience=True)
    young = factories.term("young-people", "Young people", audience=True)

    church = factories.organization("New Life Community Church", Organization.Kind.FAITH_GROUP, district=blaby)
    hall = factories.location(church, "Church hall", city="Desford", parish=desford, district=blaby)
    factories.feature(hall, Accessibility.Feature.STEP_FREE)
    centre = factories.organization("Asfordby Community Centre", Organization.Kind.COMMUNITY_BUILDING, district=melton,
                                    parish=asfordby)
    room = factories.location(centre, "Asfordby Community Centre", city="Asfordby", parish=asfordby, district=melton,
                              latitude="52.762", longitude="-0.953")
    return {
        "food_bank": factories.service(church, "Food bank", description="Emergency food parcels.", cost="free",
                                       locations=[hall], terms=[food]),
        "walking_football": factories.service(centre, "Walking football", description="Football for over 50s.",
                                              minimum_age=50, cost="paid", locations=[room], terms=[sport, older]),
        "youth_club": factories.service(centre, "Youth club", description="Games and cooking.", minimum_age=11,
                                        maximum_age=17, cost="free", locations=[room], terms=[young]),
        "closed": factories.service(centre, "Old food club", description="Food for all.", status="defunct",
                                    locations=[room], terms=[food]),
        "blaby": blaby, "melton": melton, "desford": desford, "asfordby": asfordby,
    }


def names(search):
    return [service.name for service in services.search_page(search, 1, 1000).object_list]


def test_search_words_are_casefolded_split_and_limited():
    assert services.search_words("  Walking  FOOTBALL ") == ["walking", "football"]
    assert services.search_words("'; DROP TABLE directory_service; --") == ["drop", "table", "directory", "service"]
    assert services.search_words("<script>alert(1)</script>") == ["script", "alert", "1"]
    assert services.search_words("🙂🙂🙂") == []
    assert services.search_words("ŁÓDŹ Straße") == ["łódź", "strasse"]
    assert len(services.search_words(" ".join(f"word{i}" for i in range(50)))) == services.MAX_WORDS
    assert services.search_words("a" * 5000) == ["a" * services.MAX_WORD_CHARACTERS]


def test_an_empty_search_lists_every_running_service_by_name(directory):
    assert names(services.Search()) == ["Food bank", "Walking football", "Youth club"]


def test_every_word_must_match_in_names_descriptions_organisations_or_towns(directory):
    assert names(services.Search(words=["football"])) == ["Walking football"]
    assert names(services.Search(words=["asfordby"])) == ["Walking football", "Youth club"]
    assert names(services.Search(words=["food", "church"])) == ["Food bank"]
    assert names(services.Search(words=["food", "asfordby"])) == []  # the closed club is not listed
    assert names(services.Search(words=services.search_words("FOOD"))) == ["Food bank"]


def test_services_named_with_the_first_word_come_first(directory):
    organization = Organization.objects.get(name="Asfordby Community Centre")
    factories.service(organization, "Cooking club", description="Football fans' suppers.")
    assert names(services.Search(words=["football"])) == ["Walking football", "Cooking club"]


def test_category_includes_its_sub_categories(directory):
    health = services.categories().get(code="health")
    assert names(services.Search(category=health)) == ["Walking football"]


def test_need_district_parish_age_cost_and_accessibility_filters(directory):
    older = services.needs().get(code="older-people")
    assert names(services.Search(need=older)) == ["Walking football"]
    assert names(services.Search(district=directory["blaby"])) == ["Food bank"]
    assert names(services.Search(parish=directory["asfordby"])) == ["Walking football", "Youth club"]
    assert names(services.Search(age=14)) == ["Food bank", "Youth club"]
    assert names(services.Search(age=67)) == ["Food bank", "Walking football"]
    assert names(services.Search(free_only=True)) == ["Food bank", "Youth club"]
    assert names(services.Search(access=[Accessibility.Feature.STEP_FREE])) == ["Food bank"]
    assert names(services.Search(access=[Accessibility.Feature.HEARING_LOOP])) == []


def test_district_matches_the_organisation_or_a_place_the_service_is_offered(directory):
    # A Melton organisation's service offered at a Blaby place is found in Blaby.
    centre = Organization.objects.get(name="Asfordby Community Centre")
    hall = factories.location(centre, "Outreach room", city="Desford", district=directory["blaby"])
    factories.service(centre, "Outreach clinic", locations=[hall])
    assert names(services.Search(district=directory["blaby"])) == ["Food bank", "Outreach clinic"]


def test_filters_together_find_what_each_finds_alone(directory):
    """The search's SQL joins its conditions with AND and keeps each one's parameters in place: any two
    or more filters together find exactly the services every one of them finds alone."""
    from itertools import combinations

    older = services.needs().get(code="older-people")
    health = services.categories().get(code="health")
    melton = directory["melton"]
    centre = Organization.objects.get(name="Asfordby Community Centre")
    hall = factories.location(centre, "Outreach room", city="Desford", district=directory["blaby"])
    factories.feature(hall, Accessibility.Feature.STEP_FREE)
    factories.service(centre, "Outreach football", description="For carers.", cost="free", minimum_age=40,
                      locations=[hall], terms=[older])
    parts = {"words": ["football"], "need": older, "category": health, "district": melton,
             "parish": directory["asfordby"], "age": 55, "free_only": True,
             "access": [Accessibility.Feature.STEP_FREE]}
    alone = {name: set(names(services.Search(**{name: value}))) for name, value in parts.items()}
    for size in (2, 3, len(parts)):
        for chosen in combinations(parts, size):
            found = names(services.Search(**{name: parts[name] for name in chosen}))
            assert set(found) == set.intersection(*(alone[name] for name in chosen)), chosen
            assert len(found) == len(set(found)), chosen
    assert names(services.Search(words=["football"], free_only=True, access=[Accessibility.Feature.STEP_FREE],
                                 age=55)) == ["Outreach football"]


def test_search_page_filters_from_the_query_string(client, directory):
    response = client.get("/directory/", {"q": "football", "district": "melton", "age": "60"})
    assert response.status_code == 200
    assert [s.name for s in response.context["page_services"]] == ["Walking football"]
    assert "1 service found" in response.text
    response = client.get("/directory/", {"parish": "desford", "free": "on", "access": "step_free"})
    assert [s.name for s in response.context["page_services"]] == ["Food bank"]
    response = client.get("/directory/", {"category": "health", "need": "older-people"})
    assert [s.name for s in response.context["page_services"]] == ["Walking football"]


def test_bad_filter_values_are_reported_and_left_out(client, directory):
    response = client.get("/directory/", {"district": "<b>nowhere</b>", "age": "old", "q": "food"})
    assert response.status_code == 200
    assert response.context["errors"]
    assert "Choose from the list" in response.text
    assert "Enter an age in years" in response.text
    assert "<b>nowhere</b>" not in response.text
    # The valid part of the search still ran.
    assert [s.name for s in response.context["page_services"]] == ["Food bank"]
    assert response.text.count("Error:") >= 1


def test_organisations_matching_the_words_are_listed_beside_the_services(client, directory):
    response = client.get("/directory/", {"q": "church"})
    assert [o.name for o in response.context["organizations"]] == ["New Life Community Church"]


def test_results_are_paged(client, directory):
    organization = Organization.objects.get(name="Asfordby Community Centre")
    for index in range(45):
        Service.objects.create(organization=organization, name=f"Class {index:02d}", description="A class.")
    first = client.get("/directory/", {"q": "class"})
    assert first.context["results"].paginator.count == 45
    assert len(first.context["page_services"]) == 20
    assert 'rel="next"' in first.text and "page=2" in first.text
    last = client.get("/directory/", {"q": "class", "page": "3"})
    assert [s.name for s in last.context["page_services"]] == [f"Class {i}" for i in range(40, 45)]
    beyond = client.get("/directory/", {"q": "class", "page": "99999"})
    assert beyond.status_code == 200 and beyond.context["results"].number == 3
    junk = client.get("/directory/", {"q": "class", "page": "'; --"})
    assert junk.status_code == 200 and junk.context["results"].number == 1


def test_the_map_plots_only_places_inside_the_county(client, directory):
    organization = Organization.objects.get(name="New Life Community Church")
    far = factories.location(organization, "London office", city="London", latitude="51.5", longitude="-0.12")
    factories.service(organization, "Food bank outreach", locations=[far])
    response = client.get("/directory/", {"q": "food"})
    assert [s.name for s in response.context["page_services"]] == ["Food bank", "Food bank outreach"]
    assert response.text.count('<circle class="shire-map__point"') == 1
    assert "<title>1. Food bank</title>" in response.text and "outreach</title>" not in response.text
    assert '<svg class="shire-map"' in response.text and 'role="img"' in response.text
    x, y = services.map_position(52.762, -0.953)
    assert 0 <= x <= 600 and 0 <= y <= 400


def test_a_search_with_no_results_says_what_to_try(client, directory):
    response = client.get("/directory/", {"q": "zzzzqqq"})
    assert "0 services found" in response.text and "check your spelling" in response.text
    assert "<svg class=\"shire-map\"" not in response.text


@pytest.mark.parametrize("query", [
    "'; DROP TABLE directory_service; --",
    "\" OR 1=1 --",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "%_%",
    "\\",
    "a" * 10_000,
    "🙂 🍲 food 🙃",
    "Ζωή στο χωριό",
    "ગામ ખોરાક",
    "食物银行",
    "مركز المجتمع",
    "\x00null\x00byte",
    "\u202eright-to-left override",
])
def test_odd_input_returns_a_page_with_what_was_typed_escaped(client, directory, query):
    response = client.get("/directory/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "\x00" not in response.text


def test_other_scripts_are_found_whatever_their_case(client, directory):
    organization = Organization.objects.get(name="Asfordby Community Centre")
    factories.service(organization, "ΧΟΡΩΔΊΑ Ελληνική", description="Greek choir.")
    factories.service(organization, "Łódź friendship club", description="Polish club.")
    assert [s.name for s in client.get("/directory/", {"q": "χορωδία"}).context["page_services"]] == ["ΧΟΡΩΔΊΑ Ελληνική"]
    assert [s.name for s in client.get("/directory/", {"q": "ŁÓDŹ"}).context["page_services"]] == ["Łódź friendship club"]


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=400), district=st.text(max_size=30), age=st.text(max_size=8),
       access=st.lists(st.text(max_size=20), max_size=3), page=st.text(max_size=6))
def test_any_text_in_any_field_returns_a_page(client, directory, query, district, age, access, page):
    response = client.get("/directory/", {"q": query, "district": district, "age": age, "access": access,
                                          "page": page, "parish": query[:20], "category": district})
    assert response.status_code == 200


def test_parish_choices_come_from_core_places_grouped_by_district(client, directory):
    from shire.directory.forms import SearchForm

    form = SearchForm()
    assert form.fields["parish"].choices == [
        ("", "Any town or parish"), ("Blaby", [("desford", "Desford")]), ("Melton", [("asfordby", "Asfordby")])]
    text = client.get("/directory/", {"parish": "asfordby"}).text
    assert '<optgroup label="Melton"><option value="asfordby" selected>Asfordby</option></optgroup>' in text
    # A new parish is a choice at once: the cached choices follow the data.
    factories.parish("Wymeswold", directory["melton"])
    assert ("wymeswold", "Wymeswold") in dict(SearchForm().fields["parish"].choices[1:])["Melton"]


def test_anonymous_search_pages_are_cached_until_the_directory_changes(client, directory):
    first = client.get("/directory/", {"q": "football"})
    assert first.context is not None  # rendered
    again = client.get("/directory/", {"q": "football"})
    assert again.context is None and again.content == first.content  # from the cache
    centre = Organization.objects.get(name="Asfordby Community Centre")
    factories.service(centre, "Walking football for women", description="Football.")
    changed = client.get("/directory/", {"q": "football"})
    assert changed.context is not None
    assert [s.name for s in changed.context["page_services"]] == ["Walking football", "Walking football for women"]
    # A bulk change made through services also empties the cache.
    Service.objects.filter(name="Walking football for women").update(status="inactive")
    services.directory_changed()
    assert [s.name for s in client.get("/directory/", {"q": "football"}).context["page_services"]] == ["Walking football"]


def test_signed_in_visitors_are_never_served_a_cached_page(client, directory):
    client.get("/directory/", {"q": "food"})
    client.force_login(factories.officer())
    response = client.get("/directory/", {"q": "food"})
    assert response.context is not None and "Sign out" in response.text


def test_three_small_queries_count_and_fetch_a_page(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = services.search_page(services.Search(words=["football"]), "1", 20)
        assert [s.name for s in page.object_list] == ["Walking football"]
    assert page.paginator.count == 1 and page.number == 1
    assert services.search_page(services.Search(), "x", 2).number == 1
    last = services.search_page(services.Search(), "9", 2)
    assert (last.number, [s.name for s in last.object_list]) == (2, ["Youth club"])
    assert services.search_page(services.Search(words=["zzz"]), "3", 2).paginator.count == 0


def test_each_result_says_where_what_it_costs_and_for_what_ages(client, directory):
    centre = Organization.objects.get(name="Asfordby Community Centre")
    places = [factories.location(centre, f"Room {n}", city=town) for n, town in
              enumerate(["Melton Mowbray", "", "Asfordby", "Syston", "Oakham"])]
    factories.service(centre, "Craft circle", description=" ".join(f"word{n}" for n in range(40)), cost="free",
                      minimum_age=8, maximum_age=12, locations=places)
    text = client.get("/directory/", {"q": "craft"}).text
    # The first three places by name, each by its town (or its name when it has no town), then how many more.
    assert "Where: Melton Mowbray, Room 1, Asfordby and 2 more" in text
    assert "<li>Free</li>" in text and "<li>Ages 8 to 12</li>" in text
    assert " ".join(f"word{n}" for n in range(35)) + " …" in text and "word35" not in text
    text = client.get("/directory/", {"q": "walking football"}).text
    assert "There is a charge" in text and "Ages 50 and over" in text and "Where: Asfordby" in text


def test_places_text_lists_three_places_then_how_many_more():
    from types import SimpleNamespace as Place

    assert services.places_text([]) == ""
    assert services.places_text([Place(city="Desford", name="Hall")]) == "Desford"
    assert services.places_text([Place(city="", name="Hall"), Place(city="Desford", name="Library")]) == "Hall, Desford"
    four = [Place(city=town, name="x") for town in ("A", "B", "C", "D")]
    assert services.places_text(four) == "A, B, C and 1 more"


def test_a_search_by_words_counts_every_page_and_past_the_last_gives_the_last(directory):
    organization = Organization.objects.get(name="Asfordby Community Centre")
    for index in range(7):
        Service.objects.create(organization=organization, name=f"Class {index}", description="A class.")
    first = services.search_page(services.Search(words=["class"]), "1", 3)
    assert (first.paginator.count, first.paginator.num_pages) == (7, 3)
    past = services.search_page(services.Search(words=["class"]), "9", 3)
    assert (past.number, [s.name for s in past.object_list]) == (3, ["Class 6"])


def test_new_choices_show_in_the_search_form_once_the_directory_changes(client, directory):
    assert "Arts and crafts" not in client.get("/directory/").text
    factories.term("arts", "Arts and crafts")
    factories.district("Harborough", "E07000131")
    text = client.get("/directory/").text
    assert '<option value="arts">Arts and crafts</option>' in text and ">Harborough</option>" in text
    assert client.get("/directory/", {"category": "arts"}).status_code == 200


def test_an_empty_search_counts_again_once_the_directory_changes(client, directory):
    assert client.get("/directory/").context["results"].paginator.count == 3
    organization = Organization.objects.get(name="Asfordby Community Centre")
    Service.objects.bulk_create([Service(organization=organization, name=f"Class {n}", description="A class.")
                                 for n in range(25)])
    services.directory_changed()
    assert client.get("/directory/").context["results"].paginator.count == 28


def test_each_point_on_the_map_carries_its_result_number_and_escaped_name(client, directory):
    centre = Organization.objects.get(name="Asfordby Community Centre")
    room = centre.locations.get()
    factories.service(centre, "<b>Bowls</b> & tea", description="Bowls.", locations=[room])
    text = client.get("/directory/", {"q": "bowls"}).text
    x, y = services.map_position(52.762, -0.953)
    assert (f'<g><title>1. &lt;b&gt;Bowls&lt;/b&gt; &amp; tea</title><circle class="shire-map__point" cx="{x}" '
            f'cy="{y}" r="10"></circle>') in text
    assert f'<text class="shire-map__number" x="{x}" y="{y}" dy="4" text-anchor="middle">1</text></g>' in text
    assert "<b>Bowls</b>" not in text


@pytest.mark.parametrize("query", [
    {},
    {"page": "2"},
    {"q": "food"},
    {"q": 'x"><script>alert(1)</script>', "category": "food", "need": "older-people", "age": "67", "district": "blaby",
     "parish": "desford", "free": "on", "access": ["step_free", "hearing_loop"]},
    {"category": "", "district": "", "age": "", "access": ["changing_places"]},
])
def test_the_kept_search_form_is_the_template_form_with_what_was_asked(rf, directory, query):
    """search_html marks what was asked in the form made once a version; the template makes the same form in full."""
    from django.template.loader import render_to_string

    from shire.directory import forms, search_html

    options = services.search_options()
    form = forms.SearchForm(rf.get("/directory/", query).GET or None, options=options)
    form.search()
    assert not form.errors
    shown = form.cleaned_data.get("q", "") if form.is_bound else ""
    kept = search_html.form_html(form, shown, bool(query), options)
    assert kept == render_to_string(search_html.FORM_TEMPLATE, {"form": form, "shown_query": shown,
                                                               "searched": bool(query)})
    if "free" in query:
        assert 'value="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in kept
        assert '<option value="blaby" selected>' in kept and '<option value="desford" selected>' in kept
        assert 'value="on" checked' in kept and 'value="hearing_loop" checked' in kept
        assert 'value="step_free" checked' in kept and 'value="large_print" checked' not in kept
        assert 'name="age" type="text" inputmode="numeric" value="67"' in kept


def test_a_form_with_an_error_shows_the_message_beside_its_field(client, directory):
    text = client.get("/directory/", {"age": "<b>old</b>", "q": "food"}).text
    assert "govuk-form-group--error" in text and "Enter an age in years, like 8 or 67" in text
    assert 'value="&lt;b&gt;old&lt;/b&gt;"' in text and "<b>old</b>" not in text
    assert 'name="q" type="search" value="food"' in text


def test_result_rows_escape_every_value(client, directory):
    centre = Organization.objects.get(name="Asfordby Community Centre")
    centre.name = "Centre <b>&</b>"
    centre.save()
    factories.service(centre, '<img src=x onerror="alert(1)">', description="<script>alert(2)</script> & more",
                      status="temporarily closed")
    text = client.get("/directory/", {"q": "img"}).text
    assert "<img src=x" not in text and "<script>alert(2)" not in text and "<b>&</b>" not in text
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt; &amp; more" in text
    assert "Centre &lt;b&gt;&amp;&lt;/b&gt;" in text
    assert "Temporarily closed</strong>" in text
