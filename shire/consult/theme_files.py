"""CSV files for free-text themes: read and check them whole, run the engine, write the result.

Used by ``shire consult suggest-themes`` and ``shire consult discover-themes``:

- THEMES.csv (a codebook): ``theme,name,description`` (an optional ``key_phrases`` column, phrases
  separated by ``;``, is used too);
- COMMENTS.csv: ``id,text``;
- CODED.csv: ``id,theme`` for answers an officer has coded (each id also in COMMENTS.csv);
- OUT.csv: ``id,theme,confidence,second_theme``, one row for every comment not in CODED.csv.

Bad input is refused with a ``ConsultationError`` that names the file and the row (row 1 is the
header, so the first answer is row 2, as a spreadsheet shows it), and nothing is written.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from shire.consult import themes
from shire.consult.imports import csv_problem, not_utf8_text
from shire.consult.services import ConsultationError


def _read_rows(path, required: tuple[str, ...], what: str, optional: tuple[str, ...] = ()):
    """(row number, dict) for each data row of a UTF-8 CSV file with the required columns."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConsultationError(f"{name}: no such file.") from None
    except IsADirectoryError:
        raise ConsultationError(f"{name}: is a folder, not a CSV file.") from None
    except OSError as error:
        raise ConsultationError(f"{name}: cannot be read ({error.strerror}).") from None
    problem = not_utf8_text(data[:8])
    if problem:
        raise ConsultationError(f"{name}: {problem}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise ConsultationError(
            f"{name}: row {row}: the text is not UTF-8 (byte 0x{data[error.start]:02x}); "
            "save the file as 'CSV UTF-8' and try again."
        ) from None
    if not text.strip():
        raise ConsultationError(f"{name}: the file is empty; expected {what} with columns {', '.join(required)}.")
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise ConsultationError(f"{name}: row {row}: the file contains a NUL character; is it really a CSV file?")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise ConsultationError(f"{name}: row 1: cannot be read as CSV ({csv_problem(error)}).") from None
    columns = [column.strip().lower() for column in header]
    missing = [column for column in required if column not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "nothing"
        raise ConsultationError(
            f"{name}: row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(the header has {found}; expected {', '.join(required)})."
        )
    for column in set(required + optional):
        if columns.count(column) > 1:
            raise ConsultationError(f"{name}: row 1: the column {column} appears twice.")
    index = {column: columns.index(column) for column in required + optional if column in columns}
    rows = []
    row_number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ConsultationError(f"{name}: row {row_number + 1}: cannot be read as CSV ({csv_problem(error)}).") from None
        row_number += 1
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
            raise ConsultationError(
                f"{name}: row {row_number}: {len(values)} values but the header has {len(columns)} columns "
                "(is there a comma in a text that is not in quotes?)."
            )
        rows.append((row_number, {c: (values[i] if i < len(values) else "") for c, i in index.items()}))
    return rows


def read_codebook(path) -> list[themes.Theme]:
    rows = _read_rows(path, ("theme", "name", "description"), "a codebook", optional=("key_phrases",))
    if not rows:
        raise ConsultationError(f"{path}: the codebook has no themes; add one row per theme under the header.")
    seen: dict[str, int] = {}
    codebook = []
    for row, values in rows:
        key = values["theme"].strip()
        if not key:
            raise ConsultationError(f"{path}: row {row}: the theme is empty.")
        if key in seen:
            raise ConsultationError(f"{path}: row {row}: the theme '{key}' appears again (first at row {seen[key]}).")
        seen[key] = row
        phrases = tuple(p.strip() for p in values.get("key_phrases", "").split(";") if p.strip())
        codebook.append(
            themes.Theme(
                theme=key,
                name=values["name"].strip() or key,
                description=values["description"].strip(),
                key_phrases=phrases,
            )
        )
    return codebook


def read_comments(path) -> list[tuple[str, str]]:
    rows = _read_rows(path, ("id", "text"), "comments")
    if not rows:
        raise ConsultationError(f"{path}: there are no comments under the header.")
    seen: dict[str, int] = {}
    comments = []
    for row, values in rows:
        identifier = values["id"].strip()
        if not identifier:
            raise ConsultationError(f"{path}: row {row}: the id is empty.")
        if identifier in seen:
            raise ConsultationError(
                f"{path}: row {row}: the id '{identifier}' appears again (first at row {seen[identifier]})."
            )
        seen[identifier] = row
        comments.append((identifier, values["text"]))
    return comments


def read_coded(path, comment_ids: set[str], theme_keys: set[str]) -> dict[str, str]:
    rows = _read_rows(path, ("id", "theme"), "coded comments")
    seen: dict[str, int] = {}
    coded = {}
    for row, values in rows:
        identifier = values["id"].strip()
        theme = values["theme"].strip()
        if not identifier:
            raise ConsultationError(f"{path}: row {row}: the id is empty.")
        if identifier in seen:
            raise ConsultationError(
                f"{path}: row {row}: the id '{identifier}' appears again (first at row {seen[identifier]})."
            )
        seen[identifier] = row
        if identifier not in comment_ids:
            raise ConsultationError(f"{path}: row {row}: the id '{identifier}' is not in the comments file.")
        if not theme:
            raise ConsultationError(f"{path}: row {row}: the theme is empty.")
        if theme not in theme_keys:
            known = ", ".join(sorted(theme_keys))
            raise ConsultationError(f"{path}: row {row}: unknown theme '{theme}' (the codebook has {known}).")
        coded[identifier] = theme
    return coded


def _write_csv(path, header, rows):
    """Write the whole file next to its destination, then move it into place."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ConsultationError(f"{path}: the folder {directory} does not exist.")
    handle = tempfile.NamedTemporaryFile(
        "w", newline="", encoding="utf-8", dir=directory, prefix=f".{target.name}.", delete=False
    )
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def suggest_themes(codebook_path, comments_path, coded_path, output_path) -> int:
    """Code every comment not in CODED.csv with the codebook's themes; returns the rows written."""
    codebook = read_codebook(codebook_path)
    comments = read_comments(comments_path)
    coded = {}
    if coded_path:
        coded = read_coded(coded_path, {i for i, _ in comments}, {t.theme for t in codebook})
    suggestions = themes.suggest(codebook, comments, coded)
    _write_csv(
        output_path,
        ["id", "theme", "confidence", "second_theme"],
        [[s.id, s.theme, f"{s.confidence:.4f}", s.second_theme] for s in suggestions],
    )
    return len(suggestions)


def discover_themes(comments_path, output_path, max_themes=12) -> int:
    """Propose themes from the comments alone and write them as a codebook; returns how many."""
    if max_themes is None or int(max_themes) < 1:
        raise ConsultationError(f"--max-themes must be at least 1 (got {max_themes}).")
    comments = read_comments(comments_path)
    if not any(text.strip() for _, text in comments):
        raise ConsultationError(f"{comments_path}: every comment is empty; there is nothing to find themes in.")
    proposed = themes.discover(comments, max_themes=int(max_themes))
    _write_csv(output_path, ["theme", "name", "description"], [[p.theme, p.name, p.description] for p in proposed])
    return len(proposed)
