"""Turning text into search terms, the same way for documents and queries, on every database.

A term is a Snowball-stemmed Norwegian word. Stop words go first (bokmål and nynorsk function words:
they match everything and rank nothing). Compounds are Norwegian's hard case: a buyer writes
"legemiddelutdeling" where the case says "utdeling av legemidler", so a compound is indexed and
queried as itself *and* its parts, split against a Norwegian word list (wordfreq). Identifiers
(CPV codes, organization numbers) are kept whole: digits are never stemmed.
"""

import functools
import re

import Stemmer
from wordfreq import zipf_frequency

WORD = re.compile(r"\w+", re.UNICODE)

# Function words of bokmål and nynorsk. Written here rather than taken from a stemmer's list because
# the list decides what a common-word query means (see engine.py), and both databases must agree.
STOP_WORDS = frozenset("""
alle andre at av bare begge ble blei bli blir blitt både båe da de deg dei deim deira deires dem den denne der
dere deres det dette di din disse ditt du dykk dykkar då eg ein eit eitt eller elles en enn er et ett etter
for fordi fra før ha hadde han hans har hennar henne hennes her hjå ho hoe honom hoss hossen hun hva hvem hver
hvilke hvilken hvis hvor hvordan hvorfor i ikke ikkje ingen ingi inkje inn inni ja jeg kan kom korleis korso
kun kunne kva kvar kvarhelst kven kvi kvifor man mange me med medan meg meget mellom men mi min mine mitt mot
mykje ned no noe noen noka noko nokon nokor nokre nå når og også om opp oss over på samme seg selv si sia
sidan siden sin sine sitt sjøl skal skulle slik so som somme somt så sånn til um upp ut uten var vart varte
ved vere verte vi vil ville vore vors vort vår være vært å the a an of and or to in on for with is are be how
what can we our
""".split())  # noqa: SIM905 - a word list reads best as words

MIN_PART = 3          # shortest first part of a compound (snø, vei)
MIN_LAST_PART = 4     # shortest last part: shorter ones are mostly suffixes (-ing, -het)
MIN_COMPOUND = 7      # shorter words are not tried as compounds
KNOWN_WORD = 2.5      # wordfreq Zipf frequency at which a part counts as a known word (about 1 per 3M words)
COMMON_WORD = 3.0     # a whole word this common is left whole, though it may look like a compound

_stemmer = Stemmer.Stemmer("norwegian")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stop words removed."""
    return [word for word in WORD.findall(text.casefold()) if word not in STOP_WORDS]


# Inflection endings (bokmål and nynorsk): the last part of "hjemmesykepleien" is "sykepleie" + "n".
ENDINGS = ("ene", "ane", "en", "et", "er", "ar", "a", "n", "e")


def _known(word: str) -> float:
    """How common `word` is, in this form or without an inflection ending."""
    score = zipf_frequency(word, "nb")
    for ending in ENDINGS:
        if score >= KNOWN_WORD:
            break
        if word.endswith(ending) and len(word) - len(ending) >= MIN_LAST_PART:
            score = max(score, zipf_frequency(word[:-len(ending)], "nb"))
    return score


@functools.lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The known words a compound is made of, or () when it is not one.

    Tries every split into a known left part (with or without a linking -s- or -e-, and the third
    consonant Norwegian drops: natt+tilsyn = nattilsyn) and a right part that is a known word or
    itself a compound. Fewest parts win (legemiddel+utdeling, not lege+middel+utdeling), then the
    split whose rarer part is the most common.
    """
    if len(word) < MIN_COMPOUND or not word.isalpha() or zipf_frequency(word, "nb") >= COMMON_WORD:
        return ()
    best: tuple[int, float, tuple[str, ...]] | None = None
    for cut in range(MIN_PART, len(word) - MIN_LAST_PART + 1):
        left, right = word[:cut], word[cut:]
        lefts = [left]
        if left[-1] in "se" and len(left) > MIN_PART:
            lefts.append(left[:-1])
        if left[-1] == right[0]:
            lefts.append(left + right[0])
        right_score = _known(right)
        right_parts: tuple[str, ...] = (right,)
        if right_score < KNOWN_WORD:
            right_parts = compound_parts(right)
            # Inner parts as short as "ete" are more often chance than meaning (heim+ete+nesta).
            if not right_parts or any(len(part) < MIN_LAST_PART for part in right_parts):
                continue
            right_score = min(_known(part) for part in right_parts)
        if any(part in STOP_WORDS for part in right_parts):
            continue
        for candidate in lefts:
            left_score = zipf_frequency(candidate, "nb")
            if left_score < KNOWN_WORD or candidate in STOP_WORDS:
                continue
            split = (-len(right_parts), min(left_score, right_score), (candidate, *right_parts))
            if best is None or split[:2] > best[:2]:
                best = split
    return best[2] if best else ()


def expand(text: str) -> list[str]:
    """Words with each compound followed by its parts: what the lexical index stores (unstemmed)."""
    expanded = []
    for word in words(text):
        expanded.append(word)
        expanded.extend(part for part in compound_parts(word) if part not in STOP_WORDS)
    return expanded


def stem(word: str) -> str:
    return word if word.isdigit() else _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """Stemmed terms with compound parts, in text order, repeats kept (they count in BM25)."""
    return [stem(word) for word in expand(text)]


def split_terms(text: str) -> tuple[list[str], list[str]]:
    """The stemmed whole words of `text`, and apart from them the stemmed parts of its compounds:
    the index weighs a part less than a whole word (a "hjemmesykepleie" is only partly about "syke")."""
    whole, parts = [], []
    for word in words(text):
        whole.append(stem(word))
        parts.extend(stem(part) for part in compound_parts(word) if part not in STOP_WORDS)
    return whole, parts


def query_terms(text: str, limit: int = 32) -> list[str]:
    """The distinct terms of a query, in order; long pasted texts are cut at `limit` terms."""
    return list(dict.fromkeys(terms(text)))[:limit]
