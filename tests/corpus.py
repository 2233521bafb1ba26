"""The extraction corpus: pages written for this project, each with its ground truth.

``python -m tests.corpus`` prints token precision, recall and F1 per page for narrator's
extractor and, side by side, for plain trafilatura when it is installed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
HELDOUT = Path(__file__).resolve().parent / "data" / "corpus-heldout"


def pages(folder: Path = CORPUS) -> list[Path]:
    return sorted(folder.glob("*.html"))


def truth(page: Path) -> dict[str, Any]:
    return json.loads(page.with_suffix(".json").read_text("utf-8"))  # type: ignore[no-any-return]


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


@dataclass(frozen=True)
class Score:
    true_positive: int
    extracted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positive + other.true_positive,
            self.extracted + other.extracted,
            self.expected + other.expected,
        )


def score(extracted: str, expected: str) -> Score:
    got, want = tokens(extracted), tokens(expected)
    return Score(sum((got & want).values()), sum(got.values()), sum(want.values()))


def expected_text(data: dict[str, Any]) -> str:
    parts = [data["standfirst"]] if data.get("standfirst") else []
    parts += [b["text"] for b in data["blocks"]]
    return "\n".join(parts)


def narrator_text(page: Path) -> str | None:
    """What narrator reads from a page (standfirst and body), or None for no article."""
    from narrator._exceptions import ArticleError
    from narrator.extract import extract
    from narrator.load import load

    try:
        article = extract(load(page))
    except ArticleError:
        return None
    parts = [article.standfirst] if article.standfirst else []
    return "\n".join(parts + [b.text for b in article.blocks])


def trafilatura_text(page: Path) -> str | None:
    import trafilatura

    return trafilatura.extract(page.read_bytes(), favor_precision=True)  # type: ignore[no-any-return]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    extractors = {"narrator": narrator_text}
    try:
        import trafilatura  # noqa: F401

        extractors["trafilatura"] = trafilatura_text
    except ImportError:
        print("(trafilatura is not installed: pip install trafilatura to compare)", file=sys.stderr)
    totals = {name: Score(0, 0, 0) for name in extractors}
    print(f"{'page':<28}" + "".join(f"{name:>26}" for name in extractors))
    for page in pages(folder):
        data = truth(page)
        row = f"{page.stem[:27]:<28}"
        for name, fn in extractors.items():
            text = fn(page)
            if data.get("no_article"):
                row += f"{'(none)' if not text else 'READ A PAYWALL':>26}"
                continue
            s = score(text or "", expected_text(data))
            totals[name] += s
            row += f"{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
        print(row)
    print(
        f"{'all pages (P R F1)':<28}"
        + "".join(f"{t.precision:>10.3f}{t.recall:>8.3f}{t.f1:>8.3f}" for t in totals.values())
    )


if __name__ == "__main__":
    main()
