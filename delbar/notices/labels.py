"""Bokmål and English labels for eForms codes (procedure types, notice types, BT-776, …), from DFØ's
translations in data/ (CC BY 4.0, see data/ATTRIBUTION.md)."""

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).parent / "data"


@cache
def _codes() -> dict[tuple[str, str], tuple[str, str]]:
    with open(DATA / "eforms_code_labels_en_nb.csv", encoding="utf-8") as file:
        labels = {(row["codelist"], row["code"]): (" ".join(row["label_en"].split()), " ".join(row["label_nb"].split()))
                  for row in csv.DictReader(file)}
    with open(DATA / "notice_subtype_labels_en_nb.csv", encoding="utf-8") as file:
        labels |= {("notice-subtype", row["key"].rpartition("|")[2]): (row["label_en"], row["label_nb"])
                   for row in csv.DictReader(file)}
    return labels


def label(codelist: str, code: str) -> str:
    """The label of `code` in the active language, bokmål falling back to English, else the code."""
    english, bokmal = _codes().get((codelist, code), ("", ""))
    if (get_language() or "nb").startswith("en"):
        return english or code
    return bokmal or english or code


def choices(codelist: str) -> list[tuple[str, str]]:
    return sorted(((code, label(codelist, code)) for (name, code) in _codes() if name == codelist),
                  key=lambda choice: choice[1].lower())
