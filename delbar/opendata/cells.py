"""CSV cells that a spreadsheet opens as data, never as a formula (OWASP, "CSV Injection").

Titles and names in Delbar's CSVs come from users and from imported notices: a title such as
`=HYPERLINK("http://…","x")` would otherwise run when the file is opened in Excel or LibreOffice.
Every CSV Delbar writes — the open-data table (tables.py, also `delbar export --format csv`) and each
figure's download (delbar/diffusion/figures.py) — passes its cells through `safe_cell`.

This module imports nothing from Delbar, so any app can use it without an import cycle.
"""

from numbers import Number

# A spreadsheet reads a cell starting with = + - @ as a formula, and skips a leading tab or carriage
# return before reading on; OWASP lists these six.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a CSV cell: text starting with a formula character gets a leading single quote, which
    spreadsheets show as text; numbers, negative ones too, stay numbers, and None stays empty."""
    if value is None or isinstance(value, Number):
        return value
    # Everything else is written as text, lazy translations and dates included.
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
