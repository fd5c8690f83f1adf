"""Fuzzing the notice parsers: thousands of mutated, truncated and generated documents give either
notices or a ParseError — never another exception, never a hang. No database."""

import json
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delbar.notices.sources import ParseError, parse
from tests.notice_files import DOFFIN, NOTICE_FIXTURES, TED_XML, notice_files

SEEDS = [
    (DOFFIN / "ContractNotice_cn-standard_2024-107345.xml").read_bytes(),
    (DOFFIN / "ContractAwardNotice_can-standard_2023-632707.xml").read_bytes(),
    (NOTICE_FIXTURES / "eforms-sdk" / "can_24_maximal.xml").read_bytes(),
    (NOTICE_FIXTURES / "eforms-sdk-nor" / "national-e" / "VALID-national-e3-multi-buyer-0e9f.xml").read_bytes(),
    (TED_XML / "20-157399-001-EXP.xml").read_bytes(),
    (NOTICE_FIXTURES / "ocds" / "ocds-213czf-000-00001.json").read_bytes(),
    (NOTICE_FIXTURES / "ocds" / "award.json").read_bytes(),
]
# Seconds of this thread's CPU: a parse this costly would be a hang in an import of thousands. CPU time,
# not the clock: on a busy 2-core machine a small document once took 2.1 s by the clock in the suite.
SLOW = 2.0


def outcome(document: bytes) -> str:
    start = time.thread_time()
    try:
        notices = parse(document)
    except ParseError as error:
        assert str(error)
        result = "error"
    else:
        assert notices
        for notice in notices:
            assert isinstance(notice.key, str) and notice.key
            assert isinstance(notice.title, str) and isinstance(notice.problems, list)
        result = "parsed"
    assert time.thread_time() - start < SLOW
    return result


def mutate(document: bytes, rng: random.Random) -> bytes:
    data = bytearray(document)
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(("truncate", "flip", "insert", "delete", "duplicate", "swap-tag"))
        position = rng.randrange(len(data)) if data else 0
        if kind == "truncate":
            del data[position:]
        elif kind == "flip" and data:
            data[position] = rng.randrange(256)
        elif kind == "insert":
            data[position:position] = rng.choice([b"<", b">", b"&", b"&amp;", b"\x00", b"\xff\xfe", b"]]>", b'"',
                                                   b"<cbc:ID>", b"</cbc:Name>", b"{", b"}", b"[", b"null", b"1e999"])
        elif kind == "delete":
            del data[position:position + rng.randint(1, 200)]
        elif kind == "duplicate":
            end = min(len(data), position + rng.randint(1, 500))
            data[position:position] = data[position:end]
        elif kind == "swap-tag":
            data = bytearray(bytes(data).replace(b"cbc:", b"cac:", 1))
    return bytes(data)


def test_a_fuzzing_run_over_every_notice_file():
    rng = random.Random(20261128)
    documents = [path.read_bytes() for path in notice_files()]
    outcomes = {"parsed": 0, "error": 0}
    for _ in range(4000):
        outcomes[outcome(mutate(rng.choice(documents), rng))] += 1
    # Both happen: mutations that keep the XML well-formed are read leniently, the rest refused.
    assert outcomes["parsed"] > 50 and outcomes["error"] > 2000


def test_every_truncation_of_a_notice():
    document = SEEDS[0]
    for end in range(0, len(document), 97):
        outcome(document[:end])


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), randomness=st.randoms(use_true_random=False))
def test_mutated_notices(seed, randomness):
    outcome(mutate(seed, randomness))


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)   # what XML can carry
VALUES = st.one_of(XML_TEXT, st.sampled_from(["2024-02-30+01:00", "${ISSUEDATE}", "-5", "1e999", "NaN", "Infinity",
                                          "99999999999999999999", "12,5", "01", "", " ", "45000000-7", "abc"]))
ELEMENTS = ["cbc:ID", "cbc:VersionID", "cbc:IssueDate", "cbc:NoticeTypeCode", "cbc:NoticeLanguageCode",
            "cbc:ContractFolderID", "cbc:RegulatoryDomain"]
PROJECT = ["cbc:Name", "cbc:Description", "cbc:ProcurementTypeCode"]


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def generated_eforms(draw) -> bytes:
    root = draw(st.sampled_from(["ContractNotice", "ContractAwardNotice", "PriorInformationNotice"]))
    parts = [f"<{name}>{_escape(draw(VALUES))}</{name}>" for name in draw(st.lists(st.sampled_from(ELEMENTS)))]
    project = "".join(f'<{name} languageID="{draw(st.sampled_from(["NOB", "ENG", "", "X"]))}">'
                      f"{_escape(draw(VALUES))}</{name}>" for name in draw(st.lists(st.sampled_from(PROJECT))))
    project += (f'<cac:MainCommodityClassification><cbc:ItemClassificationCode>{_escape(draw(VALUES))}'
                f"</cbc:ItemClassificationCode></cac:MainCommodityClassification>")
    currency = _escape(draw(XML_TEXT)).replace('"', "")
    project += (f'<cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="{currency}">'
                f"{_escape(draw(VALUES))}</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>")
    lots = "".join(f"<cac:ProcurementProjectLot><cbc:ID>{_escape(draw(VALUES))}</cbc:ID><cac:TenderingProcess>"
                   f"<cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>{_escape(draw(VALUES))}</cbc:EndDate>"
                   f"</cac:TenderSubmissionDeadlinePeriod></cac:TenderingProcess></cac:ProcurementProjectLot>"
                   for _ in range(draw(st.integers(0, 3))))
    return (f'<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
            'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
            'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
            f'{"".join(parts)}<cac:ProcurementProject>{project}</cac:ProcurementProject>{lots}</{root}>').encode()


@settings(max_examples=500, deadline=None)
@given(generated_eforms())
def test_generated_eforms_notices(document):
    assert outcome(document) == "parsed"


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
                    lambda children: st.one_of(st.lists(children, max_size=4),
                                               st.dictionaries(st.sampled_from(
                                                   ["ocid", "id", "date", "tag", "tender", "title", "value", "amount",
                                                    "currency", "buyer", "parties", "roles", "awards", "suppliers",
                                                    "classification", "scheme", "items", "lots", "releases",
                                                    "records", "compiledRelease", "tenderPeriod", "endDate"]),
                                                   children, max_size=6)), max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(JSON)
def test_generated_ocds_like_json(value):
    outcome(json.dumps(value).encode())


def test_deep_nesting_is_refused_not_a_crash():
    assert outcome(b"[" * 200_000 + b"]" * 200_000) == "error"
    assert outcome(b"<a>" * 100_000 + b"</a>" * 100_000) == "error"
    assert outcome(b'{"ocid": "x", "tender": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001) in ("error", "parsed")
