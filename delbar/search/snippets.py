"""Highlighted snippets, made in Python from the stored text so both databases show the same thing."""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from delbar.search import text

SENTENCE = re.compile(r"(?<=[.!?])\s+")
LENGTH = 240


@functools.lru_cache(maxsize=100_000)
def _word_terms(word: str) -> frozenset[str]:
    """The terms a word of the text stands for: its stem and its compound parts' stems."""
    lowered = word.casefold()
    return frozenset([text.stem(lowered), *(text.stem(part) for part in text.compound_parts(lowered))])


def _matches(word: str, wanted: set[str]) -> bool:
    return not wanted.isdisjoint(_word_terms(word))


def highlight(passage: str, wanted: set[str]) -> SafeString:
    """Escapes `passage` and wraps the words matching `wanted` (stemmed terms) in <mark>."""
    pieces, position = [], 0
    for match in text.WORD.finditer(passage):
        pieces.append(escape(passage[position:match.start()]))
        word = match.group()
        pieces.append(f"<mark>{escape(word)}</mark>" if _matches(word, wanted) else escape(word))
        position = match.end()
    pieces.append(escape(passage[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped


def snippet(texts: list[str], terms: list[str]) -> SafeString:
    """The sentence (with its neighbour, up to LENGTH characters) that holds most query terms."""
    wanted = set(terms)
    sentences = [sentence for value in texts if value for sentence in SENTENCE.split(value.strip())]
    if not sentences:
        return mark_safe("")
    scored = [(sum(1 for word in text.WORD.findall(sentence) if _matches(word, wanted)), -index)
              for index, sentence in enumerate(sentences)]
    best = -max(scored)[1]
    passage = sentences[best]
    if len(passage) < LENGTH and best + 1 < len(sentences):
        passage = f"{passage} {sentences[best + 1]}"
    if len(passage) > LENGTH:
        passage = passage[:LENGTH].rsplit(" ", 1)[0] + " …"
    return highlight(passage, wanted)
