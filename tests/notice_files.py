"""Where the tests find real notices: the demo's Doffin and TED files, and the fixtures (attributed in
tests/fixtures/notices/ATTRIBUTION.md)."""

import csv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_NOTICES = REPO / "delbar" / "demo" / "notices"
NOTICE_FIXTURES = REPO / "tests" / "fixtures" / "notices"
DOFFIN = DEMO_NOTICES / "doffin"
TED_XML = DEMO_NOTICES / "ted"


def summary_rows() -> list[dict]:
    with open(NOTICE_FIXTURES / "notices_summary_dev.csv", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def is_validator_test_set(path: Path) -> bool:
    """DFØ's `unit/` files are Schematron test sets wrapping notice fragments, not notices."""
    return "unit" in path.parts


def notice_files() -> list[Path]:
    """Every notice file the repository holds: XML notices and OCDS JSON."""
    files = sorted(DEMO_NOTICES.rglob("*.xml")) + sorted(NOTICE_FIXTURES.rglob("*.xml"))
    files += sorted((NOTICE_FIXTURES / "ocds").rglob("*.json"))
    return [path for path in files if not is_validator_test_set(path)]
