"""CSV files for themes: validation messages naming file and row, outputs, and the command line."""

import csv

import pytest
from django.core.management import CommandError, call_command

from shire.consult import theme_files
from shire.consult.services import ConsultationError

CODEBOOK = (
    "theme,name,description\n"
    "libraries,Libraries,Keeping libraries open\n"
    "transport,Transport,Buses and community transport\n"
    "volunteers,Volunteers,Volunteers cannot replace paid staff\n"
)
COMMENTS = (
    "id,text\n"
    "1,Please keep the library open\n"
    "2,The bus only comes twice a day\n"
    '3,"Volunteers are exhausted, we need paid staff"\n'
    "4,Mobile library visits matter to my mum\n"
    "5,Rural buses have been cut\n"
    "6,\n"
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


@pytest.fixture
def files(tmp_path):
    return {
        "codebook": write(tmp_path / "themes.csv", CODEBOOK),
        "comments": write(tmp_path / "comments.csv", COMMENTS),
        "coded": write(tmp_path / "coded.csv", "id,theme\n1,libraries\n2,transport\n"),
        "out": tmp_path / "out.csv",
        "dir": tmp_path,
    }


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_suggest_writes_one_row_per_uncoded_comment(files):
    count = theme_files.suggest_themes(files["codebook"], files["comments"], files["coded"], files["out"])
    rows = read(files["out"])
    assert rows[0] == ["id", "theme", "confidence", "second_theme"]
    assert [r[0] for r in rows[1:]] == ["3", "4", "5", "6"] and count == 4
    for _, theme, confidence, second in rows[1:]:
        assert theme in {"libraries", "transport", "volunteers"} and second != theme
        assert 0 < float(confidence) <= 1
    assert dict((r[0], r[1]) for r in rows[1:])["5"] == "transport"


def test_suggest_without_coded_codes_everything(files):
    assert theme_files.suggest_themes(files["codebook"], files["comments"], None, files["out"]) == 6


def test_discover_writes_a_codebook(files):
    count = theme_files.discover_themes(files["comments"], files["out"], max_themes=3)
    rows = read(files["out"])
    assert rows[0] == ["theme", "name", "description"] and len(rows) == count + 1 and 1 <= count <= 3
    assert all(r[0] and r[1] and r[2] for r in rows[1:])
    # the proposed codebook is a valid codebook for suggest-themes
    assert theme_files.suggest_themes(files["out"], files["comments"], None, files["dir"] / "o2.csv") == 6


def refused(match, *args, call=theme_files.suggest_themes):
    with pytest.raises(ConsultationError, match=match):
        call(*args)


def test_missing_column(files):
    write(files["comments"], "id,answer\n1,hello\n")
    refused(r"comments.csv: row 1: missing column text", files["codebook"], files["comments"], None, files["out"])
    write(files["codebook"], "theme,description\nx,y\n")
    refused(r"themes.csv: row 1: missing column name", files["codebook"], files["comments"], None, files["out"])
    assert not files["out"].exists()


def test_empty_files(files):
    write(files["comments"], "")
    refused(r"comments.csv: the file is empty", files["codebook"], files["comments"], None, files["out"])
    write(files["comments"], COMMENTS)
    write(files["codebook"], "theme,name,description\n")
    refused(r"themes.csv: the codebook has no themes", files["codebook"], files["comments"], None, files["out"])
    write(files["comments"], "id,text\n")
    refused(r"comments.csv: there are no comments", files["comments"], files["out"], 5, call=theme_files.discover_themes)


def test_non_utf8_names_the_row(files):
    write(files["comments"], "id,text\n1,fine\n2,caf\xe9 closed\n".encode("latin-1"))
    refused(r"comments.csv: row 3: the text is not UTF-8", files["codebook"], files["comments"], None, files["out"])


def test_duplicate_ids_and_themes(files):
    write(files["comments"], "id,text\n1,a\n2,b\n1,c\n")
    refused(r"comments.csv: row 4: the id '1' appears again \(first at row 2\)", files["codebook"], files["comments"], None, files["out"])
    write(files["comments"], COMMENTS)
    write(files["codebook"], CODEBOOK + "libraries,Again,Twice\n")
    refused(r"themes.csv: row 5: the theme 'libraries' appears again", files["codebook"], files["comments"], None, files["out"])


def test_coded_must_name_known_comments_and_themes(files):
    write(files["coded"], "id,theme\n1,libraries\n2,parking\n")
    refused(r"coded.csv: row 3: unknown theme 'parking'", files["codebook"], files["comments"], files["coded"], files["out"])
    write(files["coded"], "id,theme\n1,libraries\n99,transport\n")
    refused(r"coded.csv: row 3: the id '99' is not in the comments file", files["codebook"], files["comments"], files["coded"], files["out"])
    write(files["coded"], "id,theme\n1,libraries\n1,transport\n")
    refused(r"coded.csv: row 3: the id '1' appears again", files["codebook"], files["comments"], files["coded"], files["out"])
    write(files["coded"], "id\n1\n")
    refused(r"coded.csv: row 1: missing column theme", files["codebook"], files["comments"], files["coded"], files["out"])


def test_unquoted_comma_and_empty_id(files):
    write(files["codebook"], "theme,name,description\nx,X,one, two\n")
    refused(r"themes.csv: row 2: 4 values but the header has 3 columns", files["codebook"], files["comments"], None, files["out"])
    write(files["codebook"], CODEBOOK)
    write(files["comments"], "id,text\n1,a\n,b\n")
    refused(r"comments.csv: row 3: the id is empty", files["codebook"], files["comments"], None, files["out"])


def test_missing_file(files):
    refused(r"nope.csv: no such file", files["codebook"], files["dir"] / "nope.csv", None, files["out"])


def test_bom_and_extra_columns_are_accepted(files):
    write(files["comments"], "\ufeffid,text,respondent\n1,Keep the library,77\n")
    assert theme_files.suggest_themes(files["codebook"], files["comments"], None, files["out"]) == 1


def test_cli_suggest_and_discover(files, capsys):
    call_command(
        "consult", "suggest-themes",
        "--codebook", str(files["codebook"]), "--comments", str(files["comments"]),
        "--coded", str(files["coded"]), "--output", str(files["out"]),
    )  # fmt: skip
    assert "Suggested themes for 4 comments" in capsys.readouterr().out
    assert len(read(files["out"])) == 5
    call_command("consult", "discover-themes", "--comments", str(files["comments"]), "--output", str(files["dir"] / "t.csv"), "--max-themes", "2")
    assert "proposed themes" in capsys.readouterr().out
    assert 2 <= len(read(files["dir"] / "t.csv")) <= 3


def test_cli_refuses_bad_input_naming_file_and_row(files):
    write(files["coded"], "id,theme\n1,parking\n")
    with pytest.raises(CommandError, match=r"coded.csv: row 2: unknown theme 'parking'"):
        call_command(
            "consult", "suggest-themes",
            "--codebook", str(files["codebook"]), "--comments", str(files["comments"]),
            "--coded", str(files["coded"]), "--output", str(files["out"]),
        )  # fmt: skip
    assert not files["out"].exists()
    with pytest.raises(CommandError, match=r"--max-themes must be at least 1"):
        call_command("consult", "discover-themes", "--comments", str(files["comments"]), "--output", str(files["out"]), "--max-themes", "0")


def test_the_evaluation_script_reports_f1_top2_and_calibration(tmp_path):
    from bench.themes import evaluate

    write(tmp_path / "codebook.csv", CODEBOOK)
    lines = ["id,text"]
    labels = ["id,theme,second_theme"]
    samples = {
        "libraries": ["Keep the library open", "The mobile library matters", "Save our branch library", "Libraries are for children too", "Don't close the library"],
        "transport": ["The bus is always late", "No buses on Sunday", "Community transport is vital", "Rural bus routes were cut", "I can't get to town without a car"],
        "volunteers": ["Volunteers are exhausted", "We need paid staff not volunteers", "Too few volunteers", "Volunteers can't replace professionals", "The same volunteers do everything"],
    }
    for theme, texts in samples.items():
        for i, text in enumerate(texts):
            lines.append(f"{theme[0]}{i},{text}")
            labels.append(f"{theme[0]}{i},{theme},")
    write(tmp_path / "comments.csv", "\n".join(lines) + "\n")
    write(tmp_path / "labels.csv", "\n".join(labels) + "\n")
    report = evaluate.evaluate(tmp_path, seeds=2, with_timing=False)
    assert report["comments"] == 15 and report["themes"] == 3
    for key in ("zero_coded", "20pct_coded"):
        assert 0.6 <= report[key]["macro_f1"] <= 1 and report[key]["top2_accuracy"] >= report[key]["accuracy"]
    assert report["20pct_coded"]["n_scored"] == 12 and len(report["20pct_coded"]["macro_f1_by_seed"]) == 2
    assert len(set(evaluate.synthesise([t for ts in samples.values() for t in ts], 200))) == 200
