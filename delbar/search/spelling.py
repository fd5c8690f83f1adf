"""“Did you mean …?”: a misspelt word corrected from the index's own vocabulary.

Only words that neither the index nor the Norwegian word list knows are corrected: a rare but real
word ("fårikål") is not a typo of something Delbar holds. The nearest stored term by edit distance
wins, the most common one among equals; its ending is the user's own, so "trygghetsalamer" (stem
"trygghetsalam") becomes "trygghetsalarmer" (stem "trygghetsalarm" + "er").
"""

from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from delbar.search.models import SearchTerm
from delbar.search.text import STOP_WORDS, WORD, stem

MIN_WORD = 4            # shorter unknown words are names and abbreviations more often than typos
LONG_WORD = 8           # from this length two edits are allowed, below it one
KNOWN_WORD = 2.5        # wordfreq Zipf frequency of a real word (text.py's threshold for compound parts)
MAX_WORDS = 3           # unknown words corrected per query at most: a pasted text is not proof-read
PREFIX = 2              # candidates share the first letters: typos at the very start are rare


def suggest(query: str) -> str | None:
    """The query with its misspelt words corrected, or None when there is nothing to correct."""
    candidates = [(match.start(), match.end(), match.group()) for match in WORD.finditer(query)]
    words = {word.casefold() for _, _, word in candidates}
    unknown = [word for word in words if _may_be_misspelt(word)]
    if not unknown:
        return None
    known = set(SearchTerm.objects.filter(term__in=[stem(word) for word in unknown], documents__gt=0)
                .values_list("term", flat=True))
    corrections = {}
    for word in sorted(unknown)[:MAX_WORDS]:
        if stem(word) not in known and (correction := _correct(word)):
            corrections[word] = correction
    if not corrections:
        return None
    corrected, last = [], 0
    for start, end, word in candidates:
        corrected.append(query[last:start])
        corrected.append(corrections.get(word.casefold(), word))
        last = end
    corrected.append(query[last:])
    return "".join(corrected)


def _may_be_misspelt(word: str) -> bool:
    return (len(word) >= MIN_WORD and word.isalpha() and word not in STOP_WORDS
            and zipf_frequency(word, "nb") < KNOWN_WORD and zipf_frequency(word, "en") < KNOWN_WORD)


def _correct(word: str) -> str | None:
    term = stem(word)
    edits = 2 if len(term) >= LONG_WORD else 1
    prefix = term[:PREFIX]
    # A range on the primary key, which both databases answer from its index (LIKE 'tr%' is a full scan
    # on PostgreSQL unless the collation is C); startswith below keeps only the prefix's terms.
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = SearchTerm.objects.filter(term__gte=prefix, term__lt=following, documents__gt=0).values_list(
        "term", "documents")
    best = None
    for candidate, documents in rows.iterator(chunk_size=2000):
        if abs(len(candidate) - len(term)) > edits or not candidate.startswith(prefix):
            continue
        distance = Levenshtein.distance(term, candidate, score_cutoff=edits)
        if distance <= edits and (best is None or (distance, -documents) < best[:2]):
            best = (distance, -documents, candidate)
    if best is None:
        return None
    ending = word[len(term):] if word.startswith(term) else ""
    return best[2] + ending
