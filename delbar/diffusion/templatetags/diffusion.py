from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def cell(row: dict, column) -> str:
    """A figure's value as the data table shows it: shares as percentages, counts with thousands."""
    value = row.get(column.key)
    if value is None or value == "":
        return "–"
    if value is True or value is False:
        return _("yes") if value else _("no")
    if column.kind == "share":
        return f"{number_format(value * 100, 1)} %"
    if column.kind == "year":
        return str(value)
    if column.kind in ("int", "days"):
        return intcomma(value)
    if column.kind == "number":
        return number_format(value, 4 if isinstance(value, float) and value < 1 else 1).rstrip("0").rstrip(",.") or "0"
    return str(value)
