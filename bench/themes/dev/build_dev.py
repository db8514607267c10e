"""Build the development set (comments.csv, labels.csv) from the hand-written source_*.txt files.

Each source line is ``theme|second_theme|text``. The comments are shuffled with a fixed seed so
that themes are not grouped, and numbered d001, d002, ... Run from anywhere:

    python bench/themes/dev/build_dev.py             # the main set, in this folder
    python bench/themes/dev/build_dev.py q31_hubs    # a second, smaller set for another question
"""

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(folder=HERE):
    rows = []
    for source in sorted(folder.glob("source_*.txt")):
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            theme, second, text = line.split("|", 2)
            rows.append((theme.strip(), second.strip(), text.strip()))
    random.Random(2017).shuffle(rows)
    with open(folder / "comments.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for index, (_, _, text) in enumerate(rows, start=1):
            writer.writerow([f"d{index:03d}", text])
    with open(folder / "labels.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "theme", "second_theme"])
        for index, (theme, second, _) in enumerate(rows, start=1):
            writer.writerow([f"d{index:03d}", theme, second])
    print(f"{len(rows)} comments")


if __name__ == "__main__":
    main(HERE / sys.argv[1] if len(sys.argv) > 1 else HERE)
