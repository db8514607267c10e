"""Plain-English summaries of the results report, one or two sentences a question.

Written only from the figures in a question's report (see analysis.py), in the style of the
council's hand-written 2017 results ("79% of respondents strongly agree or agree ..."), using the
choice labels. Works on a whole question's report or on one group's part of it.
"""
from __future__ import annotations

from datetime import date
from itertools import groupby

__all__ = ["summarise"]


def summarise(question):
    """One or two sentences describing one question's figures."""
    base = question.get("base")
    if isinstance(base, str):  # hidden by analysis.suppress_small
        return f"{base[:1].upper()}{base[1:]} people answered this question."
    if not base:
        return "No one answered this question."
    kind = question.get("type")
    if kind == "select_one":
        if question.get("scale") and _is_number(question.get("agree_percent")) and _is_number(question.get("disagree_percent")):
            return _agreement(question)
        return _select_one(question)
    if kind == "select_multiple":
        return _select_multiple(question)
    if kind == "rank":
        return _rank(question)
    if kind in ("integer", "decimal"):
        return _numbers(question)
    if kind == "date":
        return _dates(question)
    if kind == "text":
        return f"{_people(base, 'respondent').capitalize()} answered this question in their own words."
    raise ValueError(f"Cannot summarise a question of type {kind!r}.")


# ------------------------------------------------------------------------------------ words

def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _count(number):
    return f"{number:,}"


def _pc(value):
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _people(number, noun="person"):
    if noun == "person":
        return f"{_count(number)} {'person' if number == 1 else 'people'}"
    return f"{_count(number)} {noun}{'' if number == 1 else 's'}"


def _respondents_who_answered(base):
    return f"the {_count(base)} {'respondent' if base == 1 else 'respondents'} who answered"


def _join(parts, word="and"):
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def _label(question, name):
    return question.get("choices", {}).get(name) or name


def _quoted(question, names):
    return _join([f"'{_label(question, name)}'" for name in names])


def _ranked(counts, limit):
    """The largest counts, as [(count, [names])] groups of equal counts, in choice order within a
    group; groups are added until at least ``limit`` choices are included, so a tie for the last
    place brings in everyone tied. Zero and hidden counts are left out."""
    items = [(name, value) for name, value in counts.items() if _is_number(value) and value > 0]
    items.sort(key=lambda item: -item[1])  # stable: ties stay in choice order
    groups, taken = [], 0
    for value, members in groupby(items, key=lambda item: item[1]):
        if taken >= limit:
            break
        names = [name for name, _ in members]
        groups.append((value, names))
        taken += len(names)
    return groups, taken


def _figures(question, value, names, with_percent=True):
    """'A' (45, 53.5%) or 'A' and 'B' (45 each, 53.5%)."""
    each = " each" if len(names) > 1 else ""
    share = question.get("percent", {}).get(names[0])
    share = f", {_pc(share)}" if with_percent and _is_number(share) else ""
    return f"{_quoted(question, names)} ({_count(value)}{each}{share})"


def _list_top(question, counts, limit, with_percent=True):
    """(text listing the largest counts, how many choices it names); text is "" if none."""
    groups, taken = _ranked(counts, limit)
    parts = [_figures(question, value, names, with_percent) for value, names in groups]
    if len(parts) > 1 and len(groups[-1][1]) > 1:
        # "'A' (50), 'B' (34), then 'C' and 'D' (23 each)": avoid "and ... and" when the last is a tie
        return f"{', '.join(parts[:-1])}, then {parts[-1]}", taken
    return _join(parts), taken


# ------------------------------------------------------------------------------------ types

def _agreement(question):
    scale, percents = question["scale"], question["percent"]
    base = question["base"]
    agree_words = _join([_label(question, name).lower() for name in scale["agree"]], "or")
    disagree_words = _join([_label(question, name).lower() for name in scale["disagree"]], "or")
    parts = [
        f"{_pc(question['agree_percent'])} of {_respondents_who_answered(base)} {agree_words}",
        f"{_pc(question['disagree_percent'])} {disagree_words}",
    ]
    for name in scale.get("neither", []) + scale.get("dont_know", []):
        if _is_number(percents.get(name)) and percents[name] > 0:
            parts.append(f"{_pc(percents[name])} {_label(question, name).lower()}")
    first = _join(parts) + "."
    net = question.get("net_agreement")
    if not _is_number(net):
        return first
    return f"{first} Net agreement is {_pc(net)}."


def _any_suppressed(counts):
    """Public reports replace small counts with text; a summary must not read those as zero."""
    return any(not _is_number(value) for value in counts.values())


def _select_one(question):
    counts = question["counts"]
    opening = f"Of {_respondents_who_answered(question['base'])}"
    if len(counts) <= 4:
        parts = []
        for name, value in counts.items():
            share = question["percent"].get(name)
            if _is_number(value):
                figure = f"{_count(value)} ({_pc(share)})" if _is_number(share) else _count(value)
            else:
                figure = str(value)
            parts.append(f"{figure} said '{_label(question, name)}'")
        return f"{opening}, {_join(parts)}."
    listed, taken = _list_top(question, counts, 3)
    if not listed:
        if _any_suppressed(counts):
            return f"{opening}; the figure for each answer is too small to show."
        return f"{opening}, none gave one of the listed answers."
    if taken == 1:
        return f"{opening}, the most common answer was {listed}."
    return f"{opening}, the most common answers were {listed}."


def _select_multiple(question):
    base, counts = question["base"], question["counts"]
    listed, taken = _list_top(question, counts, 3)
    if not listed:
        if _any_suppressed(counts):
            return f"{_people(base, 'respondent').capitalize()} answered; the figure for each answer is too small to show."
        return f"{_people(base, 'respondent').capitalize()} answered, none ticking one of the listed answers."
    if taken == 1:
        heading = "the top response was"
    elif taken == 3:
        heading = "the top three responses were"
    else:
        heading = "the top responses were"
    sentence = f"Of {_respondents_who_answered(base)}, {heading} {listed}."
    ticks = sum(value for value in counts.values() if _is_number(value))
    if ticks > base:
        sentence += " Respondents could choose more than one answer, so the percentages add up to more than 100%."
    return sentence


def _rank(question):
    first_groups, _ = _ranked(question.get("first", {}), 1)
    if not first_groups:
        return f"{_people(question['base'], 'respondent').capitalize()} ranked the options."
    value, names = first_groups[0]
    if len(names) == 1:
        opening = (f"{_quoted(question, names)} was the overall highest priority with {_people(value)} "
                   f"identifying it as their first choice")
    else:
        opening = (f"{_quoted(question, names)} were jointly the overall highest priority, each identified "
                   f"by {_people(value)} as their first choice")
    rest = {name: count for name, count in question["first"].items() if name not in names}
    followers, _ = _list_top(question, rest, 2, with_percent=False)
    sentences = [opening + (f", followed by {followers}." if followers else ".")]

    last_groups, _ = _ranked(question.get("last", {}), 1)
    if last_groups:
        value, lowest = last_groups[0]
        if len(lowest) == 1:
            second = f"The lowest priority was {_quoted(question, lowest)}, last for {_people(value)}"
        else:
            second = f"{_quoted(question, lowest)} were jointly the lowest priority, each last for {_people(value)}"
        rest = {name: count for name, count in question["last"].items() if name not in lowest}
        followers, _ = _list_top(question, rest, 2, with_percent=False)
        if followers:
            second += f", followed by {followers}"
        bottom3 = question.get("bottom3", {})
        bottom_groups, _ = _ranked(bottom3, 1)
        if bottom_groups and len(bottom3) > 3:  # with three options or fewer everyone's bottom three is all of them
            value, bottom = bottom_groups[0]
            each = " each" if len(bottom) > 1 else ""
            second += f"; {_people(value)}{each} put {_quoted(question, bottom)} in their bottom three"
        sentences.append(second + ".")
    return " ".join(sentences)


def _number(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _numbers(question):
    opening = f"Of {_respondents_who_answered(question['base'])}, "
    if not _is_number(question.get("mean")):
        return f"{_people(question['base'], 'respondent').capitalize()} answered."
    sentence = f"{opening}the average (mean) answer was {_number(question['mean'])} and the median {_number(question['median'])}"
    if question["min"] == question["max"]:
        return f"{sentence}; everyone gave {_number(question['min'])}."
    return f"{sentence}; answers ranged from {_number(question['min'])} to {_number(question['max'])}."


def _long_date(iso):
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _dates(question):
    who = _people(question["base"], "respondent").capitalize()
    earliest, latest = question.get("earliest"), question.get("latest")
    if not earliest:
        return f"{who} gave a date."
    if earliest == latest:
        return f"{who} gave a date, all on {_long_date(earliest)}."
    return f"{who} gave a date, from {_long_date(earliest)} to {_long_date(latest)}."
