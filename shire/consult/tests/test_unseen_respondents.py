"""Seed 003's figures from respondent sets other than ours.

test_seed003_proof.py proves the published figures from the one respondent set that
build_responses.py writes. Here other sets with the same published totals are made, seeded:
build_responses's own method under other random seeds (so other people are individuals or
organisations, answer or leave questions blank, agree or disagree), then written as other people's
files are: rows and columns in another order (response_id not first), other response ids, choice
names in other cases with stray spaces, a byte-order mark and CRLF line ends, or an XLSX workbook
with numbers as numbers. Each is imported through `shire consult` with the workshop votes (their
columns in another order too) and every published figure is checked as the proof checks it.
"""
import csv
import io
import json
import random
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from shire.consult.models import Consultation, Response, WorkshopVote
from shire.demo.data.seed003 import build_responses, published

from .test_seed003_proof import FORM, base_of, compared_figures, count_of, key, matches

pytestmark = pytest.mark.django_db
P = published.QUESTIONS
SEEDS = (3, 17, 2026)
SLUG = "seed003-unseen"


def respondent_set(seed):
    """(header, rows) of a respondent set with seed 003's totals, laid out as someone else might."""
    header, rows = build_responses.build(seed)
    rng = random.Random(seed)
    rows = [[f"web-{rng.randrange(10**6):06d}-{n}", *row[1:]] for n, row in enumerate(rows)]
    rng.shuffle(rows)
    order = list(range(len(header)))
    rng.shuffle(order)  # response_id lands wherever it lands
    header = [header[i] for i in order]
    rows = [[row[i] for i in order] for row in rows]

    def scruffy(name, cell):
        if not cell or name in build_responses.INVENTED_TEXT or name == "q02_organisation_name":
            return cell
        words = [rng.choice((str.upper, str.title, str.lower))(word) for word in cell.split()]
        return rng.choice(("", " ", "  ")) + rng.choice((" ", "  ", " \t")).join(words) + rng.choice(("", " "))

    return header, [[scruffy(name, cell) for name, cell in zip(header, row)] for row in rows]


def write_csv(path, header, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))


def write_xlsx(path, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([int(cell) if cell.strip().isdigit() else (cell or None) for cell in row])
    book.save(path)


def workshops_file(path, seed):
    """The seed's workshop table with its columns in another order and other cases."""
    header, rows = build_responses.workshop_rows()
    rng = random.Random(seed)
    order = [3, 1, 0, 2]
    rng.shuffle(rows)
    write_csv(path, [header[i].title() for i in order], [[row[i] for i in order] for row in rows])


def run(tmp_path, responses):
    out = StringIO()
    workshops = tmp_path / "votes.csv"
    workshops_file(workshops, len(str(responses)))
    report = tmp_path / "report.json"
    call_command("consult", "import-form", str(FORM), "--slug", SLUG, stdout=out)
    call_command("consult", "import-responses", SLUG, str(responses), stdout=out)
    call_command("consult", "import-workshops", SLUG, str(workshops), stdout=out)
    call_command("consult", "report", SLUG, "--format", "json", "--output", str(report), stdout=out)
    return json.loads(report.read_text(encoding="utf-8"))["questions"], out.getvalue()


def assert_the_seeds_figures(questions):
    for name, entry in P.items():
        for table in ("counts", "first", "last", "top3", "bottom3", "combined_top3"):
            for option, seed_count in entry.get(table, {}).items():
                shire = count_of(questions, entry, name, option) if table == "counts" else questions[name][table][option]
                assert shire == seed_count, (name, table, option)
        if "base" in entry:
            assert base_of(questions, entry, name) == entry["base"], name
    mismatches = {(n, f, o) for n, f, o, seed, shire in compared_figures(questions) if not matches(seed, shire)}
    assert mismatches == {key(d) for d in published.DIFFERENCES}
    q10 = questions["q10_building_blocks_rank"]
    assert {w: v for w, v in q10["workshops"].items() if w != "total"} == P["q10_building_blocks_rank"]["workshops"]
    assert [q10["combined_top3"][b] for b in ("priorities", "funding", "hub")] == [121, 97, 55]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_another_respondent_set_gives_every_published_figure(tmp_path, seed, fmt):
    header, rows = respondent_set(seed)
    assert header[0] != "response_id" or seed == SEEDS[0]
    path = tmp_path / f"responses.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(path, header, rows)
    questions, out = run(tmp_path, path)
    assert f"Imported {published.RESPONSES} responses" in out
    assert_the_seeds_figures(questions)


def test_the_sets_differ_from_ours_and_from_each_other():
    ours = {tuple(row[1:]) for row in build_responses.build()[1]}
    individuals = []
    for seed in SEEDS:
        header, rows = build_responses.build(seed)
        assert len({tuple(row[1:]) for row in rows} & ours) < 10
        q1 = header.index("q01_respondent_type")
        individuals.append({n for n, row in enumerate(rows) if row[q1] == "individual"})
    assert len(individuals[0]) == len(individuals[1]) == published.INDIVIDUALS
    assert individuals[0] != individuals[1] != individuals[2]


def test_an_unknown_column_is_refused_naming_it_and_nothing_is_imported(tmp_path):
    header, rows = respondent_set(SEEDS[0])
    path = tmp_path / "responses.csv"
    write_csv(path, [*header, "submitted_on"], [[*row, "2017-03-01"] for row in rows])
    call_command("consult", "import-form", str(FORM), "--slug", SLUG, stdout=StringIO())
    with pytest.raises(CommandError) as error:
        call_command("consult", "import-responses", SLUG, str(path))
    column = openpyxl.utils.get_column_letter(len(header) + 1)
    assert f"{path}, row 1, column {column} (submitted_on): submitted_on is not a question of this questionnaire" in str(error.value)
    assert not Response.objects.filter(consultation__slug=SLUG).exists()
    assert not WorkshopVote.objects.exists()
    assert Consultation.objects.filter(slug=SLUG).count() == 1


def test_the_generator_is_seeded():
    assert respondent_set(SEEDS[1]) == respondent_set(SEEDS[1])
    assert Path(build_responses.RESPONSES_CSV).exists()


def label_export(definition, header, rows):
    """(header, rows) as SurveyMonkey or Microsoft Forms export them: columns headed by the question's
    label and choices given as labels, several separated by "; ". A label two questions share (a
    grid's rows may) keeps the question's name, as such a heading would be refused."""
    items = {item["name"]: item for page in definition["pages"] for item in page["items"]}
    headings = [items[name]["label"] if name in items else name for name in header]
    shared = {h for h in headings if headings.count(h) > 1}
    headings = [name if heading in shared else heading for name, heading in zip(header, headings)]

    def label(name, cell):
        choices = {c["name"]: c["label"] for c in items[name].get("choices") or []} if name in items else {}
        if not choices or not cell:
            return cell
        return "; ".join(choices[part] for part in cell.split())

    return headings, [[label(name, cell) for name, cell in zip(header, row)] for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_in_labels_gives_every_published_figure(tmp_path, fmt):
    from shire.consult.xlsform import read_xlsform

    definition = read_xlsform(FORM.read_bytes(), FORM.name)
    header, rows = build_responses.build(SEEDS[1])
    headings, labelled = label_export(definition, header, rows)
    assert sum(h not in header for h in headings) > 20  # most columns headed by labels
    assert any("; " in cell for row in labelled for cell in row)
    path = tmp_path / f"labels.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(path, headings, labelled)
    questions, out = run(tmp_path, path)
    assert f"Imported {published.RESPONSES} responses" in out
    assert_the_seeds_figures(questions)
