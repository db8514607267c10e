"""Build and check the held-out theme-coding sets from the hand-written sources.

    python3 bench/themes/heldout/build.py          # rebuild comments.csv and labels.csv, then check
    python3 bench/themes/heldout/build.py --check  # only check the committed CSV files

The sentences and their labels are in source/*.txt, written and labelled by hand one comment at a
time; this script only parses them, shuffles the order (fixed seed, so rebuilds are identical),
gives each comment an id, writes the CSV files and runs the consistency checks.
"""
import collections
import csv
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = [
    # folder, source file, id prefix, minimum number of comments
    ("q33_general", "q33_general.txt", "G", 320),
    ("q30_volunteering", "q30_volunteering.txt", "V", 300),
]
SEED = 20170315


def parse_source(path):
    rows, theme = [], None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            theme = line[3:].strip()
            continue
        m = re.match(r"^-(?:\[([a-z_]+)\])? (.+)$", line)
        if m:
            if theme is None:
                sys.exit(f"{path}:{n}: comment before any theme heading")
            rows.append({"theme": theme, "second_theme": m.group(1) or "", "text": m.group(2).strip(), "line": n})
        elif line.strip() and not line.startswith("#"):
            sys.exit(f"{path}:{n}: unrecognised line")
    return rows


def read_csv(path):
    raw = path.read_bytes()
    raw.decode("utf-8")  # raises if not UTF-8
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SystemExit(f"{path}: has a BOM")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, fields, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def build(folder, source, prefix):
    rows = parse_source(HERE / "source" / source)
    random.Random(SEED).shuffle(rows)
    width = len(str(len(rows)))
    comments, labels = [], []
    for i, r in enumerate(rows, 1):
        cid = f"{prefix}{i:0{width}d}"
        comments.append({"id": cid, "text": r["text"]})
        labels.append({"id": cid, "theme": r["theme"], "second_theme": r["second_theme"]})
    write_csv(HERE / folder / "comments.csv", ["id", "text"], comments)
    write_csv(HERE / folder / "labels.csv", ["id", "theme", "second_theme"], labels)


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower())


def check(folder, minimum):
    d = HERE / folder
    codebook = read_csv(d / "codebook.csv")
    comments = read_csv(d / "comments.csv")
    labels = read_csv(d / "labels.csv")
    problems = []
    if list(codebook[0].keys()) != ["theme", "name", "description"]:
        problems.append("codebook columns")
    if list(comments[0].keys()) != ["id", "text"]:
        problems.append("comments columns")
    if list(labels[0].keys()) != ["id", "theme", "second_theme"]:
        problems.append("labels columns")
    themes = [c["theme"] for c in codebook]
    if len(set(themes)) != len(themes) or not all(re.fullmatch(r"[a-z][a-z0-9_]*", t) for t in themes):
        problems.append("codebook theme ids not unique snake_case")
    ids = [c["id"] for c in comments]
    if len(set(ids)) != len(ids):
        problems.append("duplicate comment ids")
    if len({l["id"] for l in labels}) != len(labels):
        problems.append("duplicate label ids")
    if {l["id"] for l in labels} != set(ids):
        problems.append("label ids and comment ids differ")
    for l in labels:
        if l["theme"] not in themes:
            problems.append(f"{l['id']}: unknown theme {l['theme']}")
        if l["second_theme"] and (l["second_theme"] not in themes or l["second_theme"] == l["theme"]):
            problems.append(f"{l['id']}: bad second theme {l['second_theme']}")
    norm = [" ".join(words(c["text"])) for c in comments]
    if len(set(norm)) != len(norm):
        problems.append("duplicate comment texts")
    # near duplicates: high word-set overlap between any two comments of 6+ words
    sets = [set(words(c["text"])) for c in comments]
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            a, b = sets[i], sets[j]
            if min(len(a), len(b)) >= 6 and len(a & b) / len(a | b) > 0.6:
                problems.append(f"near duplicates {ids[i]} {ids[j]}")
    lengths = [len(c["text"].split()) for c in comments]
    if min(lengths) < 4 or max(lengths) > 120:
        problems.append(f"length out of range {min(lengths)}..{max(lengths)}")
    if len(comments) < minimum:
        problems.append(f"only {len(comments)} comments, need {minimum}")
    counts = collections.Counter(l["theme"] for l in labels)
    seconds = collections.Counter(l["second_theme"] for l in labels if l["second_theme"])
    print(f"{folder}: {len(comments)} comments, {len(themes)} themes, "
          f"{sum(seconds.values())} with a second theme, words {min(lengths)}-{max(lengths)} "
          f"(median {sorted(lengths)[len(lengths)//2]})")
    for t in themes:
        print(f"  {t:26s} {counts[t]:4d} {100*counts[t]/len(labels):5.1f}%   second: {seconds[t]}")
    for p in problems:
        print("  PROBLEM:", p)
    return not problems


def main():
    ok = True
    for folder, source, prefix, minimum in SETS:
        if "--check" not in sys.argv:
            build(folder, source, prefix)
        ok = check(folder, minimum) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
