"""BM25 over the articles' words, folded and stemmed: the half of search that reads spelling.

The 4-bit embedding model understands meaning but stumbles on how citizens type: "hjaelp" for
"hjælp", "boern", clipped endings. Words folded to ASCII (æ→ae) and cut to their Danish stem
meet however they were typed, and a word that names a right ("frikort", "efterværn",
"aktindsigt") counts for a lot because few articles use it.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import snowballstemmer

from .models import Article, fold

K1 = 1.2
B = 0.75
_STEMMER = snowballstemmer.stemmer("danish")
# Words that carry no topic in a citizen's message (after folding).
STOPWORDS = frozenset(fold(w) for w in """
    og i jeg det at en den til er som pa paa de med han af for ikke der var mig sig men et har
    om vi min havde hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her
    alle vil blev kunne ind nar naar vaere vare dog noget ville jo deres efter ned skulle denne end
    dette mit ogsa ogsaa under have dig anden hende mine alt meget sit sine vor mod disse hvis din
    nogle hos blive mange ad bliver hendes vaeret thi jer sadan saadan kan ka ik hva hvordan hvorfor
    hvem hvornar hvornaar mo maa fa faa gor goer gore goere bare lige godt helt sa saa nogen
    the a an is are i my me to of and in it can do what how who where when why you
""".split())  # noqa: SIM905 (a word list reads better as text)


def terms(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", fold(text))
    return [_STEMMER.stemWord(w) for w in words if len(w) > 1 and w not in STOPWORDS]


def article_text(article: Article) -> str:
    return " ".join([article.title, article.summary, " ".join(article.questions), article.body])


class LexicalIndex:
    def __init__(self, articles: list[Article]):
        self.ids = [a.id for a in articles]
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = []
        for i, article in enumerate(articles):
            counts = Counter(terms(article_text(article)))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self._postings[term].append((i, tf))
        self._lengths = lengths
        self._avg = (sum(lengths) / len(lengths)) if lengths else 1.0
        n = len(articles)
        self._idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
                     for t, p in self._postings.items()}

    def scores(self, query: str) -> dict[str, float]:
        """BM25 score of every article that shares a term with the query."""
        found: dict[int, float] = defaultdict(float)
        for term in set(terms(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for i, tf in self._postings[term]:
                norm = K1 * (1 - B + B * self._lengths[i] / self._avg)
                found[i] += idf * tf * (K1 + 1) / (tf + norm)
        return {self.ids[i]: s for i, s in found.items()}
