"""The figure table, in Python: the map's table alone has 357 rows × 9 cells, which Django's template
engine takes tens of milliseconds to render, and format_html a few."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cell(row: dict, column) -> str:
    """A figure's value as the data table shows it: shares as percentages, counts with thousands."""
    value = row.get(column.key)
    if value is None or value == "":
        return "–"
    if value is True or value is False:
        return _("yes") if value else _("no")
    if column.kind == "share":
        # Rounded half up from the stored share, as the CSV shows it: number_format alone cuts digits off,
        # and 0.037 × 100 is 3.6999… in binary (it printed 3,6 % for 1 of 27).
        return f"{number_format(_rounded(Decimal(str(value)) * 100, 1), 1)} %"
    if column.kind == "year":
        return str(value)
    if column.kind in ("int", "days"):
        return intcomma(value)
    if column.kind == "number":
        places = 4 if isinstance(value, float) and value < 1 else 1
        return number_format(_rounded(Decimal(str(value)), places), places).rstrip("0").rstrip(",.") or "0"
    return str(value)


@register.simple_tag
def figure_table(figure, table_id: str, *, base: str, query: str = "", rows=None, caption: str = "") -> SafeString:
    """A figure's data table — the accessible version of its chart — with its notes and downloads."""
    columns = [column for column in figure.columns if column.kind != "code"]
    head = "".join(format_html('<th scope="col" data-key="{}">{}</th>', column.key, column.label)
                   for column in columns)
    body = []
    for row in figure.rows if rows is None else rows:
        cells = [format_html('<th scope="row">{}</th>', cell(row, columns[0]))]
        for column in columns[1:]:
            numeric = ' class="number"' if column.kind not in ("text", "date") else ""
            cells.append(f"<td{numeric}>{escape(cell(row, column))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns),
                                _("Nothing to show for these filters.")))
    suffix = f"?{query}" if query else ""
    notes = "".join(format_html('<p class="ds-paragraph card-meta">{}</p>', note) for note in figure.notes)
    downloads = format_html(
        '<p class="downloads no-print">{}: <a class="ds-link" href="{}{}.csv{}">CSV'
        '<span class="ds-sr-only"> – {}</span></a> · <a class="ds-link" href="{}{}.json{}">JSON'
        '<span class="ds-sr-only"> – {}</span></a></p>',
        _("Download"), base, figure.slug, suffix, figure.title, base, figure.slug, suffix, figure.title)
    return mark_safe(
        format_html('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="{}-caption">', table_id)
        + format_html('<table class="ds-table figure-table" id="{}" data-figure="{}"><caption id="{}-caption">{}'
                      "</caption>", table_id, figure.slug, table_id, caption or figure.title)
        + f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>" + notes + downloads)
