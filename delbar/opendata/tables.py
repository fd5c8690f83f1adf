"""CSV: one row per published case and imported notice, for spreadsheets; every cell through
`safe_cell`, so a title from outside cannot run as a formula."""

import csv
import io

from delbar.opendata.cells import safe_cell

COLUMNS = ["kind", "id", "key", "title", "buyer", "buyer_org_number", "county", "main_cpv", "cpv", "procedure",
           "date", "value", "currency", "innovation_signal", "innovation_reasons", "url"]


def write_csv(stream, cases, notices, site: str) -> int:
    count = -1
    for row in rows(cases, notices, site):
        stream.write(row)
        count += 1
    return count


def rows(cases, notices, site: str):
    """The table as text, a row at a time, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def text(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in values])
        return buffer.getvalue()

    yield text(COLUMNS)
    for case in cases.select_related("lead_buyer").prefetch_related("cpv_codes").iterator(chunk_size=500):
        codes = [cpv.code for cpv in case.cpv_codes.all()]
        yield text(["case", case.pk, case.external_id or "", case.title, case.lead_buyer.name,
                         case.lead_buyer.org_number or "", case.lead_buyer.county_id or "", codes[0] if codes else "",
                         " ".join(codes), case.procedure, (case.published_at or case.updated_at).date().isoformat(),
                         case.contract_value_nok or "", "NOK" if case.contract_value_nok else "", "", "",
                         site + case.get_absolute_url()])
    for notice in notices.iterator(chunk_size=500):
        buyer = notice.buyers[0] if notice.buyers else {}
        amount, currency = ((notice.awarded_value, notice.awarded_currency) if notice.awarded_value is not None
                            else (notice.estimated_value, notice.estimated_currency))
        yield text(["notice", notice.pk, notice.key, notice.title, buyer.get("name", ""),
                         buyer.get("org_number", ""), notice.county_id or "", notice.main_cpv,
                         " ".join(notice.cpv_codes), notice.procedure,
                         notice.publication_date.isoformat() if notice.publication_date else "",
                         amount if amount is not None else "", currency if amount is not None else "", notice.signal,
                         " ".join(reason.get("code", "") for reason in notice.signal_reasons),
                         site + notice.get_absolute_url()])
