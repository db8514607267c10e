"""Redaction of personal details in quotes: examples and generated patterns (hypothesis)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shire.consult.redact import redact

LOCAL = st.from_regex(r"[a-z][a-z0-9]{0,8}([._+-][a-z0-9]{1,6})?", fullmatch=True)
DOMAIN = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
TLD = st.sampled_from(["co.uk", "org.uk", "gov.uk", "com", "org", "net", "ac.uk"])
AROUND = st.sampled_from(
    [
        ("Contact me at ", " if you have questions."),
        ("", ""),
        ("email: ", "."),
        ("(", ")"),
        ("Please write to ", ", thanks"),
    ]
)


@given(LOCAL, DOMAIN, TLD, AROUND)
def test_email_addresses_are_redacted(local, domain, tld, around):
    address = f"{local}@{domain}.{tld}"
    text = around[0] + address + around[1]
    result = redact(text)
    assert address not in result
    assert result == around[0] + "[email]" + around[1]


def digits(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def uk_phone(draw):
    kind = draw(st.sampled_from(["mobile", "city", "area", "london", "freephone"]))
    if kind == "mobile":
        groups = ["07" + draw(digits(3)), draw(digits(6))]
    elif kind == "city":  # 0116 496 0123
        groups = ["0116", draw(digits(3)), draw(digits(4))]
    elif kind == "area":  # 01455 238141
        groups = ["01" + draw(digits(3)), draw(digits(6))]
    elif kind == "london":  # 020 7946 0000
        groups = ["020", draw(digits(4)), draw(digits(4))]
    else:
        groups = ["0800", draw(digits(3)), draw(digits(4))]
    style = draw(st.sampled_from(["spaces", "none", "hyphens", "intl", "brackets"]))
    if style == "none":
        return "".join(groups)
    if style == "hyphens":
        return "-".join(groups)
    if style == "intl":
        return "+44 " + groups[0][1:] + " " + " ".join(groups[1:])
    if style == "brackets":
        return f"({groups[0]}) " + " ".join(groups[1:])
    return " ".join(groups)


@given(uk_phone(), st.sampled_from([("Call me on ", "."), ("Tel ", ""), ("", " any time"), ("ring ", " or write")]))
def test_uk_phone_numbers_are_redacted(number, around):
    result = redact(around[0] + number + around[1])
    assert result == around[0] + "[phone]" + around[1]


OUTWARD_1 = "ABCDEFGHIJKLMNOPRSTUWYZ"  # no Q, V, X first
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # no C, I, K, M, O, V in the inward code


@st.composite
def uk_postcode(draw):
    area = draw(st.sampled_from(["LE", "NG", "CV", "B", "M", "SW", "DE", "PE", "L", "SE"]))
    district = str(draw(st.integers(1, 99)))
    if len(area) == 2 and len(district) == 1 and draw(st.booleans()):
        district += draw(st.sampled_from("ABEHMNPRVWXY"))
    inward = str(draw(st.integers(0, 9))) + draw(st.text(alphabet=INWARD, min_size=2, max_size=2))
    space = draw(st.sampled_from([" ", ""]))
    code = f"{area}{district}{space}{inward}"
    return code.lower() if draw(st.booleans()) and space else code


@given(uk_postcode(), st.sampled_from([("I live at 4 High Street, Hinckley ", "."), ("", ""), ("postcode ", " please")]))
def test_uk_postcodes_are_redacted(code, around):
    result = redact(around[0] + code + around[1])
    assert result == around[0] + "[postcode]" + around[1]


@given(st.lists(st.from_regex(r"[a-z]{1,10}", fullmatch=True), min_size=1, max_size=30))
def test_plain_lower_case_words_are_left_alone(words):
    text = " ".join(words) + "."
    assert redact(text) == text


PLACES = ["Leicestershire", "Hinckley", "Market Harborough", "Loughborough", "Melton Mowbray", "Coalville", "Blaby"]


@given(st.sampled_from(PLACES), st.sampled_from(["I live in {}.", "The bus to {} has gone.", "{} library must stay open."]))
def test_place_names_are_not_names(place, template):
    text = template.format(place)
    assert redact(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("My name is Sarah Whitlock and I chair the hall.", "My name is [name] and I chair the hall."),
        ("Regards, John Smith", "Regards, [name]"),
        ("Kind regards,\nJane Doe", "Kind regards,\n[name]"),
        ("I went to the workshop. Yours faithfully, Margaret Ellis", "I went to the workshop. Yours faithfully, [name]"),
        ("Thanks, Mrs Patel", "Thanks, [name]"),
        ("Mr O'Brien next door is 91.", "[name] next door is 91."),
        ("Thanks to Dave from the Rural Community Council.", "Thanks to [name] from the Rural Community Council."),
        ("Regards, Hinckley Parish Council", "Regards, Hinckley Parish Council"),
        ("Councillor Smith came to our meeting.", "Councillor Smith came to our meeting."),
        ("Thanks. The M1 junction is busy.", "Thanks. The M1 junction is busy."),
        ("The 158 bus at 10am and 9.30 on Sundays.", "The 158 bus at 10am and 9.30 on Sundays."),
        (
            "Email p.jones@example.com or call 07700 900123, LE10 0AB. Thanks, Dave",
            "Email [email] or call [phone], [postcode]. Thanks, [name]",
        ),
        ("", ""),
    ],
)
def test_examples(text, expected):
    assert redact(text) == expected
