"""Generate plausible responses to the 2017 questionnaire, in the responses file format.

    .venv/bin/python -m bench.generate_responses --count 100000 --output /tmp/responses.csv

The file is what `shire consult import-responses` reads (docs/consultations.md): `response_id`,
then one column a question; select_multiple and rank as space-separated choice names; an empty
cell for a question not answered. Every response follows the form's routing (page and question
`relevant`), answers every required question routing shows, and meets every constraint, so the
whole file imports cleanly. The same seed gives the same file.

The questionnaire is read from shire/demo/forms/communities_strategy_2017.xlsx with
shire.consult.xlsform.read_xlsform; if that form is missing or does not read cleanly, the
stand-in in bench/form_2017.py is used (and the command says so on stderr).
"""
import argparse
import csv
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shire.settings")

REPO = Path(__file__).resolve().parent.parent
FORM = REPO / "shire" / "demo" / "forms" / "communities_strategy_2017.xlsx"
ANSWER_TYPES = ("select_one", "select_multiple", "rank", "text", "integer", "decimal", "date")

# How often an optional question is answered, by type (required questions always are).
ANSWER_RATE = {"select_one": 0.9, "select_multiple": 0.85, "rank": 0.8, "integer": 0.6, "decimal": 0.5, "date": 0.5, "text": 0.35}
DEMOGRAPHIC_RATE = 0.45  # "less than 50% of respondents completed the demographic questions" (seed 003)

WORDS = (
    "community village hall library volunteers council support people local services funding older young families "
    "transport isolated rural parish group help time training advice buses shop pub school church youth club care "
    "carers health wellbeing hub meeting events website newsletter e-mail grant money staff professional trust "
    "neighbours café £500 (small) \"good\" well-run 2017 Loughborough Melton Hinckley Coalville Market Harborough"
).split()


def load_definition(form=FORM):
    """(definition, where it came from): the real 2017 XLSForm if it reads, else the stand-in."""
    form = Path(form)
    if form.exists():
        from shire.consult.xlsform import XLSFormError, read_xlsform

        try:
            return read_xlsform(form.read_bytes(), form.name), str(form.relative_to(REPO) if form.is_relative_to(REPO) else form)
        except XLSFormError as error:
            print(f"{form} does not read cleanly, so the stand-in form is used:\n{error}", file=sys.stderr)
    else:
        print(f"{form} is not there yet, so the stand-in form bench/form_2017.py is used.", file=sys.stderr)
    from bench import form_2017

    return form_2017.definition(), "bench/form_2017.py (stand-in)"


def answerable(definition):
    return [item for page in definition["pages"] for item in page["items"] if item["type"] in ANSWER_TYPES]


class Generator:
    """Draws answer sets that follow a definition's routing and constraints."""

    def __init__(self, definition, seed=2017):
        from shire.consult import expressions

        self.expressions = expressions
        self.definition = definition
        self.rng = random.Random(seed)
        self.weights = {}
        self.demographic_pages = {
            index for index, page in enumerate(definition["pages"])
            if "demograph" in page["name"] or page is definition["pages"][-1] and len(definition["pages"]) > 2
        }
        for item in answerable(definition):
            if item.get("choices"):
                # Each question leans its own way; the same question leans the same way every run.
                lean = random.Random(f"{seed}:{item['name']}")
                self.weights[item["name"]] = [0.05 + lean.random() ** 2 for _ in item["choices"]]

    def _true(self, expression, answers, current=None):
        return not expression or self.expressions.is_true(expression, answers, current=current)

    def response(self):
        rng = self.rng
        answers = {}
        for index, page in enumerate(self.definition["pages"]):
            if not self._true(page.get("relevant"), answers):
                continue
            demographic = index in self.demographic_pages
            if demographic and rng.random() > DEMOGRAPHIC_RATE:
                continue
            for item in page["items"]:
                if item["type"] not in ANSWER_TYPES or not self._true(item.get("relevant"), answers):
                    continue
                required = item.get("required") in (True, "yes", "true", "true()")
                if not required and rng.random() > ANSWER_RATE[item["type"]]:
                    continue
                value = self._draw(item, answers)
                if value is not None:
                    answers[item["name"]] = value
        return answers

    def _draw(self, item, answers):
        constraint = item.get("constraint")
        for _ in range(200):
            value = self._value(item)
            if not constraint or self.expressions.is_true(constraint, answers, current=value):
                return value
        return None  # no plausible answer meets the rule: leave it unanswered (only if not required)

    def _value(self, item):
        rng = self.rng
        kind = item["type"]
        if kind in ("select_one", "select_multiple", "rank"):
            names = [c["name"] for c in item["choices"]]
            weights = self.weights[item["name"]]
            if kind == "select_one":
                return rng.choices(names, weights)[0]
            if kind == "rank":
                # Weighted shuffle: favoured options tend to come first.
                keys = {n: rng.random() ** (1 / w) for n, w in zip(names, weights)}
                return sorted(names, key=keys.get, reverse=True)
            how_many = min(len(names), 1 + int(rng.expovariate(0.7)))
            chosen = set()
            while len(chosen) < how_many:
                chosen.add(rng.choices(names, weights)[0])
            return [n for n in names if n in chosen]
        if kind == "integer":
            return rng.choice((rng.randint(0, 20), rng.randint(16, 90), rng.randint(0, 500)))
        if kind == "decimal":
            return round(rng.uniform(0, 5000), 2)
        if kind == "date":
            return (date(2016, 1, 1) + timedelta(days=rng.randrange(730))).isoformat()
        words = rng.choices(WORDS, k=rng.randint(2, 40))
        text = " ".join(words).capitalize() + "."
        if rng.random() < 0.1:
            text += " Also, " + " ".join(rng.choices(WORDS, k=rng.randint(3, 12))) + "."
        if rng.random() < 0.03:
            text += "\nSecond paragraph: " + " ".join(rng.choices(WORDS, k=8)) + "."
        return text


def cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_responses(path, count, definition, seed=2017, prefix="B"):
    """Write `count` responses to `path` as CSV; returns the number written."""
    generator = Generator(definition, seed)
    columns = [item["name"] for item in answerable(definition)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", *columns])
        width = len(str(count))
        for n in range(1, count + 1):
            answers = generator.response()
            writer.writerow([f"{prefix}{n:0{width}d}", *(cell(answers.get(name)) for name in columns)])
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", "-n", type=int, default=100_000, help="how many responses (default 100,000)")
    parser.add_argument("--output", "-o", default="bench/out/responses_2017.csv")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--form", default=str(FORM), help="the XLSForm to follow (default: the 2017 demo form)")
    args = parser.parse_args(argv)
    definition, source = load_definition(args.form)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    write_responses(args.output, args.count, definition, seed=args.seed)
    print(f"Wrote {args.count} responses to {args.output} (form: {source}).")


if __name__ == "__main__":
    main()
