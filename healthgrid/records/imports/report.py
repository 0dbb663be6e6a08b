"""What an import tells: every bad cell with its row and column, or what was written."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .columns import COLUMN_BY_CODE

# Told how far a stage is: (stage, rows done, rows in all if known).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class RowError:
    row: int | None        # the row number Excel shows; None: the file as a whole
    column: str | None     # a column code; None: the row as a whole
    message: str
    letter: str | None = None

    @property
    def column_title(self) -> str:
        if self.column is None:
            return ""
        title = str(COLUMN_BY_CODE[self.column].title) if self.column in COLUMN_BY_CODE \
            else self.column
        return f"{self.letter} {title}" if self.letter else title


@dataclass
class ImportReport:
    filename: str
    errors: list[RowError] = field(default_factory=list)
    households: int = 0
    residents: int = 0
    resident_ids: list[int] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})


class Rejected(Exception):
    """The file cannot be read as a resident sheet at all."""

    def __init__(self, message, row: int | None = None, column: str | None = None):
        super().__init__(str(message))
        self.error = RowError(row, column, str(message))
