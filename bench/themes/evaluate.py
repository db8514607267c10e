"""Measure Shire's theme suggestions against human coding, and their speed.

    .venv/bin/python bench/themes/evaluate.py FOLDER [--seeds 5] [--fraction 0.2] [--no-timing] [--timing-size N] [--json OUT]

FOLDER holds ``codebook.csv`` (theme,name,description), ``comments.csv`` (id,text) and
``labels.csv`` (id,theme[,second_theme]): the human coding. It reports

- the sentence models the engine chose for the folder's comments (fewer as a call grows);
- zero coded: macro-averaged F1 over themes, on every comment, with no coded comments;
- 20% coded: a stratified sample of 20% of the comments (at least one per theme, fixed seed) is
  given as CODED; macro-F1 on the other 80%; repeated for seeds 0..4 and the mean reported;
- top-2 accuracy: the labelled (main) theme is the first or the second suggestion, for both;
- calibration: the mean confidence beside the share that is right;
- speed: wall-clock and CPU seconds to code 10,000 distinct comments (``--timing-size``; made by
  joining sentences of the folder's comments) through the same function as ``shire consult
  suggest-themes``: from a cold start (model loading included) with no coded comments and with a
  fifth of them coded, and again with that fifth coded once their vectors are cached (an officer's
  re-coding after corrections). The models the engine chose for that many comments are listed.
  CPU seconds are the process's own; wall-clock also counts time lost to other work on the
  machine, so the load average before and after is reported beside them.

Macro-F1 counts every theme that is labelled or suggested at least once (scikit-learn's default).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shire.settings")
    django.setup()


def read_labels(path):
    labels = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            labels[row["id"].strip()] = (row["theme"].strip(), (row.get("second_theme") or "").strip())
    return labels


def macro_f1(truth, predicted):
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, average="macro", zero_division=0))


def stratified_sample(ids, labels, fraction, seed):
    rng = random.Random(seed)
    by_theme = {}
    for identifier in ids:
        by_theme.setdefault(labels[identifier][0], []).append(identifier)
    chosen = []
    for theme in sorted(by_theme):
        members = sorted(by_theme[theme])
        count = max(1, round(fraction * len(members)))
        chosen.extend(rng.sample(members, min(count, len(members))))
    return sorted(chosen)


def score(suggestions, labels):
    truth = [labels[s.id][0] for s in suggestions]
    predicted = [s.theme for s in suggestions]
    top2 = np.mean([labels[s.id][0] in (s.theme, s.second_theme) for s in suggestions])
    either = np.mean([s.theme in {t for t in labels[s.id] if t} for s in suggestions])
    right = np.array([t == p for t, p in zip(truth, predicted)], dtype=float)
    confidence = np.array([s.confidence for s in suggestions])
    # expected calibration error over 10 equal-width confidence bins
    bins = np.minimum((confidence * 10).astype(int), 9)
    ece = sum(
        abs(right[bins == b].mean() - confidence[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    )
    return {
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "accuracy": round(float(right.mean()), 4),
        "top2_accuracy": round(float(top2), 4),
        "main_theme_is_either_label": round(float(either), 4),
        "mean_confidence": round(float(confidence.mean()), 4),
        "ece": round(float(ece), 4),
        "n": len(suggestions),
    }


def synthesise(texts, n, seed=0):
    """n distinct comments made from the folder's comments (a comment, sometimes with a sentence of another)."""
    rng = random.Random(seed)
    openers = ["", "I think ", "In my view ", "Personally, ", "To be honest ", "As a resident, ", "Overall, ", "Also "]
    made, seen = [], set()
    while len(made) < n:
        text = rng.choice(texts)
        if rng.random() < 0.5:
            other = rng.choice(texts).split(". ")[0].rstrip(".")
            text = f"{text.rstrip('.')}. {other}."
        opener = rng.choice(openers)
        if opener:
            text = opener + text[0].lower() + text[1:]
        if text not in seen:
            seen.add(text)
            made.append(text)
    return made


def timing(folder, comments, codebook_path, n=10_000):
    from shire.consult import theme_files, themes

    texts = [t for _, t in comments if t.strip()]
    big = synthesise(texts, n)
    coded_count = n // 5
    results = {"comments": n}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with open(tmp / "comments.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text"])
            writer.writerows((f"c{i:05d}", t) for i, t in enumerate(big))
        codebook = theme_files.read_codebook(codebook_path)
        keys = [t.theme for t in codebook]
        rng = random.Random(1)
        with open(tmp / "coded.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "theme"])
            writer.writerows((f"c{i:05d}", rng.choice(keys)) for i in sorted(rng.sample(range(n), coded_count)))
        results["cores"] = os.cpu_count()
        # The engine adds its second, third and fourth models only while a call's texts fit their token budgets.
        prototypes = [t.prototype_text() for t in codebook]
        results["models"] = [name for name, _ in themes.Embedder(threads=1).models_for(big + prototypes)]
        results["load_average_before"] = round(os.getloadavg()[0], 2)
        runs = (
            ("zero_coded", None, True),
            (f"{coded_count}_coded", tmp / "coded.csv", True),
            (f"{coded_count}_coded_recode_with_vectors_cached", tmp / "coded.csv", False),
        )
        for label, coded, cold in runs:
            if cold:
                themes._default_embedder = None  # a cold start: the model loads inside the timing
            wall, cpu = time.perf_counter(), time.process_time()
            written = theme_files.suggest_themes(codebook_path, tmp / "comments.csv", coded, tmp / "out.csv")
            results[label] = {
                "comments_coded": written,
                "wall_seconds": round(time.perf_counter() - wall, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
            }
        results["load_average_after"] = round(os.getloadavg()[0], 2)
    return results


def evaluate(folder, seeds=5, fraction=0.2, with_timing=True, timing_size=10_000):
    from shire.consult import theme_files, themes

    folder = Path(folder)
    codebook = theme_files.read_codebook(folder / "codebook.csv")
    comments = theme_files.read_comments(folder / "comments.csv")
    labels = read_labels(folder / "labels.csv")
    comments = [(i, t) for i, t in comments if i in labels]
    ids = [i for i, _ in comments]
    report = {"folder": str(folder), "themes": len(codebook), "comments": len(comments)}
    # The models the engine chooses for this folder's answers (by their size in tokens).
    texts = [text for _, text in comments] + [theme.prototype_text() for theme in codebook]
    report["models"] = [name for name, _ in themes.default_embedder().models_for(texts)]

    report["zero_coded"] = score(themes.suggest(codebook, comments), labels)

    runs = []
    for seed in range(seeds):
        sample = stratified_sample(ids, labels, fraction, seed)
        coded = {i: labels[i][0] for i in sample}
        runs.append(score(themes.suggest(codebook, comments, coded), labels))
    summary = {key: round(float(np.mean([r[key] for r in runs])), 4) for key in runs[0] if key != "n"}
    summary["macro_f1_by_seed"] = [r["macro_f1"] for r in runs]
    summary["coded_fraction"] = fraction
    summary["n_scored"] = runs[0]["n"]
    report[f"{round(fraction * 100)}pct_coded"] = summary
    if with_timing:
        report[f"timing_{timing_size}"] = timing(folder, comments, folder / "codebook.csv", timing_size)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--timing-size", type=int, default=10_000, help="comments in the timing runs (a fifth of them coded)")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args(argv)
    setup_django()
    report = evaluate(args.folder, args.seeds, args.fraction, not args.no_timing, args.timing_size)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
