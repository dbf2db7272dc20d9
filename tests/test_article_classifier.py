"""The article classifier: what it learns, that it is kept with the index, and the say it has
in the answer level on the real knowledge and embeddings (knowledge/search.py): answering
between siblings, doubting a near answer, and knowing a topic without an article."""
from __future__ import annotations

import numpy as np
import pytest

from knowledge import article_classifier, search
from knowledge.article_classifier import ArticleClassifier, Reading, gap_label
from knowledge.index import ArticleIndex, load_or_build
from knowledge.loader import load_or_raise
from knowledge.search import ANSWER, CLASSIFIER_DOUBT, CLASSIFIER_SURE, SUGGEST, UNKNOWN
from knowledge.service import KnowledgeService
from knowledge.text import fold


def clusters(n_classes: int = 4, per_class: int = 12, dim: int = 16, seed: int = 1):
    """Unit vectors around one random centre per class, as example questions lie around
    their article."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_classes, dim))
    vectors, labels = [], []
    for c in range(n_classes):
        points = centres[c] + 0.35 * rng.normal(size=(per_class, dim))
        vectors.append(points / np.linalg.norm(points, axis=1, keepdims=True))
        labels += [f"artikel-{c}"] * per_class
    return np.vstack(vectors).astype(np.float32), labels, centres


def test_it_learns_which_article_a_vector_is_about() -> None:
    vectors, labels, centres = clusters()
    classifier = ArticleClassifier.train(vectors, labels)
    assert classifier is not None and classifier.classes == tuple(sorted(set(labels)))
    assert [classifier.read(v).label for v in vectors] == labels
    unseen = centres / np.linalg.norm(centres, axis=1, keepdims=True)   # not a training point
    for c, vector in enumerate(unseen):
        reading = classifier.read(vector.astype(np.float32))
        assert reading.label == f"artikel-{c}" and 0.5 < reading.probability <= 1.0


def test_the_same_knowledge_gives_the_same_weights() -> None:
    vectors, labels, _ = clusters()
    first = ArticleClassifier.train(vectors, labels)
    second = ArticleClassifier.train(vectors, labels)
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.bias, second.bias)


def test_nothing_to_tell_apart_or_too_many_articles_means_no_classifier(monkeypatch) -> None:
    vectors, labels, _ = clusters(n_classes=3)
    assert ArticleClassifier.train(vectors[:12], labels[:12]) is None      # one article
    monkeypatch.setattr(article_classifier, "MAX_ARTICLES", 2)
    assert ArticleClassifier.train(vectors, labels) is None


def test_it_is_saved_and_loaded_with_its_weights(tmp_path) -> None:
    vectors, labels, _ = clusters()
    classifier = ArticleClassifier.train(vectors, labels)
    classifier.save(tmp_path)
    loaded = ArticleClassifier.load(tmp_path)
    assert loaded.classes == classifier.classes
    for name in ("mean", "scale", "weights", "bias"):
        assert np.array_equal(getattr(loaded, name), getattr(classifier, name)), name
    assert loaded.read(vectors[5]) == classifier.read(vectors[5])
    assert ArticleClassifier.load(tmp_path / "nowhere") is None


def test_the_index_is_built_and_loaded_with_its_classifier(mini_settings, e5) -> None:
    kb = load_or_raise(mini_settings.knowledge_dir)
    built = load_or_build(kb, e5, mini_settings.index_dir)
    assert built.manifest["classifier"] is True
    loaded = ArticleIndex.load(mini_settings.index_dir / built.manifest["key"])
    assert loaded.classifier is not None
    assert set(loaded.classifier.classes) == set(kb.articles)
    question = next(iter(kb.articles.values())).questions[0]
    vector = e5.query([question])[0]
    assert loaded.classifier.read(vector) == built.classifier.read(vector)


# -- its say in the answer level, on the real knowledge ----------------------------------------

@pytest.fixture(scope="module")
def service() -> KnowledgeService:
    return KnowledgeService()


@pytest.fixture
def without_classifier(service):
    """The same search with the classifier taken out: the margins decide alone."""
    index = service._snapshot.searcher.index
    kept = index.classifier

    def search(question: str):
        index.classifier = None
        try:
            return service.search(question)
        finally:
            index.classifier = kept
    return search


def belief(service: KnowledgeService, question: str) -> tuple[str, float]:
    reading = service._snapshot.searcher.index.classifier.read(
        service.embedder.query([question])[0])
    return reading.label, reading.probability


def test_a_question_between_two_siblings_is_answered_when_the_classifier_is_sure(
        service, without_classifier) -> None:
    """Two articles about an anbragt child are about as close to this question, so the margins
    alone ask "Mente du …?"; the classifier knows it is about contact with the child."""
    question = "min søn er blevet anbragt og jeg må ikke se ham"
    alone = without_classifier(question)
    assert alone.level == SUGGEST
    assert {h.article.id for h in alone.suggestions} >= {"samvaer-anbragt-barn"}
    assert belief(service, question)[0] == "samvaer-anbragt-barn"
    assert belief(service, question)[1] >= CLASSIFIER_SURE
    result = service.search(question)
    assert result.level == ANSWER and result.best.article.id == "samvaer-anbragt-barn"


def test_a_near_answer_the_classifier_doubts_is_only_suggested(service, without_classifier):
    """No article is about subletting: the nearest example question is the prison article's
    "what happens to my flat". The margins alone would answer from it; the classifier names
    another article, so the bot asks instead of answering about prison."""
    question = "må jeg fremleje min lejlighed mens jeg arbejder et år i udlandet"
    alone = without_classifier(question)
    assert alone.level == ANSWER and alone.best.article.id == "ydelser-i-faengsel"
    article, probability = belief(service, question)
    assert article != "ydelser-i-faengsel" or probability < CLASSIFIER_DOUBT
    assert service.search(question).level == SUGGEST


def test_in_a_language_it_has_not_learnt_the_margins_decide_alone(service, without_classifier,
                                                                  monkeypatch) -> None:
    asked = []
    classifier = service._snapshot.searcher.index.classifier
    monkeypatch.setattr(classifier.__class__, "read",
                        lambda self, vector: asked.append(1) or Reading("x", 1.0, 0.0))
    question = "чи можу я продовжити дозвіл на проживання в Данії"
    assert service.search(question).level != ANSWER
    assert asked == []
    service.search("kan jeg få hjælp til tandlæge når jeg er på kontanthjælp")
    assert asked == [1]           # the spy works: a Danish question does ask it


@pytest.mark.parametrize("question, gap_id", [
    ("vi venter vores første barn til foråret, hvor længe kan jeg blive hjemme fra arbejdet",
     "barsel"),
    ("jeg er 66 og har arbejdet hele livet, hvornår får jeg min pension fra staten",
     "folkepension"),
])
def test_a_topic_without_an_article_is_known_without_its_words(service, monkeypatch,
                                                               question, gap_id) -> None:
    """None of the gap's `words` is in the question: the classifier knows the topic from the
    gap's example questions (knowledge/gaps.yml), so the bot names who answers it."""
    gap = next(g for g in service.kb.gaps if g.id == gap_id)
    assert not gap.pattern().search(fold(question))
    assert gap.questions
    assert belief(service, question)[0] == gap_label(gap_id)
    result = service.search(question)
    assert result.level == UNKNOWN and result.gap is not None and result.gap.id == gap_id
    monkeypatch.setattr(search, "GAP_SURE", 1.01)       # the classifier's say taken away
    assert service.search(question).gap is None


def test_a_changed_gap_question_gives_a_new_index(mini_settings, e5) -> None:
    """The classifier learns the gaps' questions, so the index (which holds it) is rebuilt
    when they change, as it is when an article changes."""
    from dataclasses import replace

    from knowledge.gaps import Gap
    from knowledge.index import all_passages, examples_of, index_key

    kb = load_or_raise(mini_settings.knowledge_dir)
    gap = Gap("barsel", "barsel", ("barsel",), ("sociale-retshjaelp",), ("https://x.dk",))
    keys = {index_key(e5, all_passages(k), examples_of(k)) for k in (
        replace(kb, gaps=(gap,)),
        replace(kb, gaps=(replace(gap, questions=("vi skal have en baby",)),)),
        replace(kb, gaps=(replace(gap, questions=("vi skal have tvillinger",)),)))}
    assert len(keys) == 3


def test_a_question_the_classifier_puts_near_the_topics_without_an_article_is_not_answered(
        service, without_classifier, monkeypatch) -> None:
    """A washing machine that broke: no article is about faulty goods, the nearest is help to
    buy one (enkeltydelser). The classifier puts much of the question on the topics without
    an article (forbrugerklage among them), so the bot does not answer from enkeltydelser."""
    question = "min nye vaskemaskine gik i stykker efter 8 måneder og butikken vil ikke lave den"
    reading = service._snapshot.searcher.index.classifier.read(
        service.embedder.query([question])[0])
    assert reading.without_article >= search.GAP_DOUBT
    assert service.search(question).level != ANSWER
    monkeypatch.setattr(search, "GAP_DOUBT", 1.01)        # that doubt taken away
    assert service.search(question).level == ANSWER


def test_what_the_classifier_reads_adds_up() -> None:
    vectors, labels, _ = clusters(n_classes=4)
    labels = [f"gap:{label}" if label == "artikel-3" else label for label in labels]
    classifier = ArticleClassifier.train(vectors, labels)
    for vector, label in zip(vectors[::7], labels[::7]):
        reading = classifier.read(vector)
        assert reading.label == label
        assert (reading.without_article >= reading.probability) == label.startswith("gap:")
        assert 0.0 <= reading.without_article <= 1.0
