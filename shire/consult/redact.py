"""Redact personal details from free text before it is quoted in a report.

Replaces e-mail addresses with ``[email]``, UK phone numbers with ``[phone]``, UK postcodes with
``[postcode]`` and the names of private people, where the text shows that a word is a name, with
``[name]``: after "my name is", after a title (Mr, Mrs, Ms, Miss, Mx, Dr), and in sign-offs
("Regards, John Smith", "Yours faithfully, Margaret Ellis", "Thanks, Dave"). Capitalised words
elsewhere are left alone, so places (Leicestershire, Hinckley, Market Harborough), organisations
and council roles (the Parish Council, Councillor Smith) stay as written. What it cannot detect
(a bare name in the middle of a sentence) it leaves: officers still read the quotes they publish.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# +44 or 0, then 9 or 10 more digits, in groups separated by single spaces, hyphens or brackets.
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?|\(?0)(?:[\s\-\)]{0,2}\d){9,10}(?!\d)",
)

# Outward code (LE10, SW1A, M1, B33) and inward code (0AB), a space optional.
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)

NAME_WORD = r"(?:O'|D')?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
FULL_NAME = rf"{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}"

# Words that make a capitalised run an organisation, a place or a role rather than a person.
NOT_PERSON = frozenset(
    """council councils county district parish town city borough village committee team group
    society association club trust church chapel school academy college library libraries hall
    centre center service services office officer officers department clerk chair chairman
    councillor councillors cllr mayor residents resident community communities network forum
    partnership charity foundation project hub museum nhs surgery practice police fire ltd limited
    plc cic the and of for leicestershire leicester rutland hinckley loughborough melton coalville
    lutterworth market harborough ashby wigston oadby blaby charnwood bosworth england uk""".split()
)

MY_NAME = re.compile(rf"\b([Mm]y name is|[Mm]y name's|I am called|I'm called|[Cc]all me)\s+({FULL_NAME})")
TITLE = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+({FULL_NAME})")
SIGN_OFF = re.compile(
    rf"(?:(?<=^)|(?<=[\n.!?]\s)|(?<=[\n.!?]))\s*((?:[Kk]ind |[Bb]est |[Ww]arm |[Mm]any )?(?:[Rr]egards|[Tt]hanks|[Tt]hank you|[Ww]ishes|"
    rf"[Yy]ours (?:sincerely|faithfully|truly)|[Cc]heers|[Ss]incerely|[Bb]est)[,.!]?\s*\n?\s*)({FULL_NAME})(?=\s*(?:$|[\n.,!]))",
)
THANKS_TO = re.compile(rf"\b([Tt]hanks to|[Tt]hank you to)\s+({NAME_WORD})(?=\s+(?:from|at|of|who|for)\b)")


def _is_person(words: str) -> bool:
    parts = [p.lower().strip(".,") for p in words.split()]
    return bool(parts) and not any(p in NOT_PERSON for p in parts)


def _name_sub(match: re.Match) -> str:
    words = match.group(2)
    if not _is_person(words):
        return match.group(0)
    return match.group(0)[: match.start(2) - match.start(0)] + "[name]"


def _title_sub(match: re.Match) -> str:
    words = match.group(2)
    if not _is_person(words):
        return match.group(0)
    return "[name]"


def redact(text: str) -> str:
    """The text with e-mail addresses, UK phone numbers, UK postcodes and detectable names replaced."""
    if not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub(_phone_sub, text)
    text = POSTCODE.sub(_postcode_sub, text)
    text = MY_NAME.sub(_name_sub, text)
    text = TITLE.sub(_title_sub, text)
    text = SIGN_OFF.sub(_name_sub, text)
    text = THANKS_TO.sub(_name_sub, text)
    return text


def _phone_sub(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if digits.startswith("44"):
        digits = digits[2:]
    digits = digits.lstrip("0")
    # UK numbers are 10 digits after the leading 0 (a few old ones 9).
    return "[phone]" if 9 <= len(digits) <= 10 else match.group(0)


def _postcode_sub(match: re.Match) -> str:
    value = match.group(0)
    # "a 10am start" is not a postcode: require the letters of a postcode to be all one case.
    letters = re.sub(r"[^A-Za-z]", "", value)
    if not (letters.isupper() or letters.islower()):
        return value
    # Lower-case words such as "on10 5am" are rare; a bare lower-case run must contain a space.
    if letters.islower() and " " not in value:
        return value
    return "[postcode]"
