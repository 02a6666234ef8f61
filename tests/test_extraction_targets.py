"""The issue's targets, held in CI: on annotated texts the extractor was not developed on, at
least 95% of the amounts and percentages are found, at least 90% of the candidates are correct,
and every quote is the text at its offsets. The seed fixture's facts are all found.

`blind/` was written by a helper who saw neither the extractor nor the other texts, and was
never looked at while the extractor was built; `final/` was written the same way and looked at
once, after its first-run figures were recorded (see docs/text-entry.md); `heldout/` was tuned on."""

from pathlib import Path

import pytest

from projects.extraction.evaluation import evaluate, load_annotated, load_fixture

CORPUS = Path(__file__).parent / "extraction_corpus"
FIGURES = ("amount", "percent")


def report_of(folder: str, kinds=None):
    texts = [load_annotated(path) for path in sorted((CORPUS / folder).glob("*.json"))]
    assert len(texts) >= 4, folder
    return evaluate(texts, kinds=kinds)


@pytest.mark.parametrize("folder", ["blind", "final", "heldout"])
def test_amounts_and_percentages_are_found(folder):
    score = report_of(folder, kinds=FIGURES).total
    assert score.gold >= 100
    assert score.recall >= 0.95, f"{folder}: {score.matched}/{score.gold}"


@pytest.mark.parametrize("folder", ["blind", "final", "heldout"])
def test_candidates_are_correct_and_quotes_exact(folder):
    report = report_of(folder)
    assert report.total.precision >= 0.90, (
        f"{folder}: {report.total.judged_matched}/{report.total.judged_candidates}"
    )
    assert report.quote_errors == 0


def test_every_seed_fact_with_a_number_is_found():
    report = evaluate(load_fixture(Path(__file__).parent.parent / "fixtures" / "seeds.yaml"))
    assert report.total.gold >= 100
    assert report.total.matched == report.total.gold
