"""The one writer of every workbook HealthGrid hands out (exports, call lists, templates,
reports). No other module touches openpyxl's cells: what a user typed (a name, an address,
a survey comment) is always written as text, never as a formula.

openpyxl turns a string starting with "=" into a formula and "#N/A" into an error; Excel and
LibreOffice run a formula when the file is opened (=HYPERLINK(...) one click from a
phishing page, or DDE). So every string is stored as a text cell, and one that a
spreadsheet would read as a formula when edited (=, +, -, @, tab, carriage return at the
start) also gets the quote prefix: typing over it in Excel keeps it text. The text itself
stays exactly as typed; numbers and dates stay numbers and dates."""
from __future__ import annotations

from io import BytesIO
from typing import Iterable, Sequence

from flask_babel import LazyString
from openpyxl import Workbook as _Book
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The looks a workbook may give a row (no other module builds openpyxl styles):
# name -> (font, fill, alignment).
_STYLES = {
    "title": (Font(bold=True, size=13), None, None),
    "bold": (Font(bold=True), None, None),
    "header": (Font(bold=True), PatternFill("solid", fgColor="EEF2F5"), None),
    "muted": (Font(italic=True, color="808080"), None, None),
    "wrap": (None, None, Alignment(wrap_text=True)),
}


def is_formula_like(text: str) -> bool:
    """A spreadsheet would read this text as a formula, a DDE call or an error code."""
    return text.startswith(FORMULA_STARTS) or text in ERROR_CODES


class Sheet:
    """One worksheet: rows are appended, values written through `_cell`."""

    def __init__(self, worksheet):
        self._ws = worksheet

    def _cell(self, value, style: str | None = None, note: str | None = None):
        if isinstance(value, LazyString):
            value = str(value)
        risky = isinstance(value, str) and is_formula_like(value)
        if not risky and style is None and note is None:
            return value  # openpyxl stores it as it is: a number, a date or plain text
        cell = Cell(self._ws, row=1, column=1, value=value)  # placed by append
        if isinstance(value, str):
            cell.data_type = "s"  # never "f" (formula) nor "e" (error)
            cell.quotePrefix = risky
        if style is not None:
            font, fill, alignment = _STYLES[style]
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if alignment is not None:
                cell.alignment = alignment
        if note:
            cell.comment = Comment(note, "HealthGrid")
        return cell

    def row(self, values: Iterable, style: str | None = None,
            notes: Sequence[str | None] = ()) -> None:
        """Append one row; `style` ("title", "bold", "header", "muted", "wrap") applies to
        each of its cells, `notes` are cell comments by column (None: none)."""
        notes = list(notes)
        self._ws.append([
            self._cell(value, style, notes[index] if index < len(notes) else None)
            for index, value in enumerate(values)])

    def columns(self, widths: Sequence[float] = (), formats: Sequence[str | None] = ()) -> None:
        """Column widths (and number formats, "@" for text) from column A on."""
        for index, width in enumerate(widths, start=1):
            self._ws.column_dimensions[get_column_letter(index)].width = width
        for index, number_format in enumerate(formats, start=1):
            if number_format:
                self._ws.column_dimensions[get_column_letter(index)].number_format = \
                    number_format

    def freeze(self, first_data_row: int) -> None:
        """Rows above `first_data_row` stay in view when scrolling."""
        self._ws.freeze_panes = f"A{first_data_row}"

    def choice_list(self, column: int, choices: Sequence[str], first_row: int,
                    rows: int) -> None:
        """A drop-down list of `choices` in `rows` cells of a column (a warning, not a bar,
        when something else is typed)."""
        letter = get_column_letter(column)
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                              allow_blank=True, errorStyle="warning")
        rule.add(f"{letter}{first_row}:{letter}{first_row + rows - 1}")
        self._ws.add_data_validation(rule)


class Workbook:
    """A workbook of Sheets. `streaming`: rows go to a temporary file as they come (large
    exports), nothing is kept in memory; each sheet's layout must be set before its rows."""

    def __init__(self, streaming: bool = False):
        self._book = _Book(write_only=streaming)
        self._first = not streaming

    def sheet(self, title: str) -> Sheet:
        if self._first:  # a new workbook has one empty sheet already
            self._first = False
            worksheet = self._book.active
            worksheet.title = str(title)
        else:
            worksheet = self._book.create_sheet(str(title))
        return Sheet(worksheet)

    def save(self, target=None) -> bytes | None:
        """Write to `target` (a path or a binary file), or return the bytes."""
        if target is not None:
            self._book.save(target)
            return None
        out = BytesIO()
        self._book.save(out)
        return out.getvalue()
