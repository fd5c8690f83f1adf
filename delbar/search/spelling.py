"""“Did you mean …?”: a misspelt word corrected from the index's own vocabulary.

Only words that neither the index nor the Norwegian word list knows are corrected: a rare but real
word ("fårikål") is not a typo of something Delbar holds. The nearest stored term by edit distance
wins, the most common one among equals; its ending is the user's own, so "trygghetsalamer" (stem
"trygghetsalam") becomes "trygghetsalarmer" (stem "trygghetsalarm" + "er").
"""

from django.db.models.functions import Length
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from delbar.search.models import SearchTerm
from delbar.search.text import STOP_WORDS, WORD, stem

MIN_WORD = 4            # shorter unknown words are names and abbreviations more often than typos
LONG_WORD = 8           # from this length two edits are allowed, below it one
KNOWN_WORD = 2.5        # wordfreq Zipf frequency of a real word (text.py's threshold for compound parts)
MAX_WORDS = 3           # unknown words corrected per query at most: a pasted text is not proof-read
PREFIX = 2              # candidates share the first letters (one more from LONG_WORD): typos at the
                        # very start are rare, and 200,000 documents hold thousands of terms per two
                        # letters (bench/bench_search_latency.py times suggestions for misspelt queries)
MAX_LENGTH = 40         # longer "words" are identifiers, hashes or pasted noise, not typos
FINDABLE_CHECKS = 3     # nearest candidates checked against what the person may find, at most


def suggest(query: str, *, findable, typing: bool = False) -> str | None:
    """The query with its misspelt words corrected, or None when there is nothing to correct.

    `findable(term)` says whether the person searching may find a document holding the term: the
    vocabulary counts every document, drafts included, and a suggestion must not reveal a word only a
    draft uses. `typing`: the last word is still being typed (search as you type) and is left alone."""
    candidates = [(match.start(), match.end(), match.group()) for match in WORD.finditer(query)]
    still_typed = typing and candidates and candidates[-1][1] == len(query)
    checked = candidates[:-1] if still_typed else candidates
    words = list(dict.fromkeys(word.casefold() for _, _, word in checked))
    unknown = [word for word in words if _may_be_misspelt(word)][:MAX_WORDS]
    if not unknown:
        return None
    known = set(SearchTerm.objects.filter(term__in=[stem(word) for word in unknown], documents__gt=0)
                .values_list("term", flat=True))
    corrections = {}
    for word in unknown:
        if stem(word) not in known and (correction := _correct(word, findable)):
            corrections[word] = correction
    if not corrections:
        return None
    corrected, last = [], 0
    for start, end, word in candidates:
        corrected.append(query[last:start])
        corrected.append(_same_case(word, corrections[word.casefold()]) if word.casefold() in corrections else word)
        last = end
    corrected.append(query[last:])
    return "".join(corrected)


def _may_be_misspelt(word: str) -> bool:
    return (MIN_WORD <= len(word) <= MAX_LENGTH and word.isalpha() and word not in STOP_WORDS
            and zipf_frequency(word, "nb") < KNOWN_WORD and zipf_frequency(word, "en") < KNOWN_WORD)


def _same_case(original: str, correction: str) -> str:
    if original.isupper():
        return correction.upper()
    return correction[:1].upper() + correction[1:] if original[:1].isupper() else correction


def _candidates(prefix: str, shortest: int, longest: int):
    """Stored terms that begin with `prefix` and are `shortest` to `longest` letters long, with their
    document counts."""
    terms = SearchTerm.objects.annotate(size=Length("term")).filter(
        documents__gt=0, size__gte=shortest, size__lte=longest)
    if prefix.isascii():
        # A key range both databases answer from the primary key's index (LIKE 'tr%' is a full scan on
        # PostgreSQL unless the collation is C); for ASCII letters every collation orders it alike.
        following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        terms = terms.filter(term__gte=prefix, term__lt=following)
    else:
        terms = terms.filter(term__startswith=prefix)  # æ, ø, å: where they sort depends on the collation
    return terms.values_list("term", "documents")


def _correct(word: str, findable) -> str | None:
    term = stem(word)
    long = len(term) >= LONG_WORD
    edits = 2 if long else 1
    prefix = term[:PREFIX + 1] if long else term[:PREFIX]
    rows = [(candidate, documents) for candidate, documents in _candidates(
        prefix, len(term) - edits, len(term) + edits) if candidate.startswith(prefix)]
    matches = process.extract(term, [candidate for candidate, _ in rows], scorer=Levenshtein.distance,
                              score_cutoff=edits, limit=None)
    ranked = sorted((distance, -rows[position][1], rows[position][0]) for _, distance, position in matches)
    for _, _, candidate in ranked[:FINDABLE_CHECKS]:
        if findable(candidate):
            ending = word[len(term):] if word.startswith(term) else ""
            return candidate + ending
    return None
