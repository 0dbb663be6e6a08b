"""The page layout of the performance report: fpdf2 with Noto Sans CJK SC embedded.

The report gives each of a centre's hundreds of teams a page. WeasyPrint lays out every line
through Pango, about 30 ms a page even for monospaced text, so this report is written with
fpdf2 instead, which puts a line of text on the page as one PDF text operator (the other
PDFs of the app, a few pages each, stay on WeasyPrint).

fpdf2 subsets its fonts with fontTools, which reads all 65,000 glyphs of a CJK font: half a
second per font and report. HarfBuzz first cuts each font down to the characters that the
report uses (a few hundred, in milliseconds), so fpdf2 has only those left to read.

fpdf2 numbers the glyphs of a CID-keyed font (Noto CJK is one) in the order they are first
used and ships the map from those numbers to the font's CIDs as an embedded CMap. pypdf,
pdfminer and many indexers cannot read text through an embedded CMap; they all read the
predefined Identity-H encoding, in which a glyph's number is its CID. So here the number of
each glyph is its CID (_CIDNumbers), and the fonts are declared Identity-H (_IdentityH),
as WeasyPrint's are. Both lean on fpdf2's internals: setup.cfg pins fpdf2 to 2.8, and the
report tests read the text with pypdf."""
from __future__ import annotations

import re
import subprocess
import tempfile
import unicodedata
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Iterator

import uharfbuzz as hb
from fpdf import FPDF
from fpdf.fonts import SubsetMap
from fpdf.output import OutputProducer
from fpdf.syntax import Name

SANS, MONO = "Noto Sans CJK SC", "Noto Sans Mono CJK SC"
FONTS = ((SANS, "", "Noto Sans CJK SC:style=Regular"), (SANS, "B", "Noto Sans CJK SC:style=Bold"),
         (MONO, "", "Noto Sans Mono CJK SC:style=Regular"))
TEXT, MUTED, ACCENT = (29, 39, 51), (93, 107, 122), (11, 110, 79)
PT = 25.4 / 72  # millimetres per point


def _rgb(color: tuple[int, int, int]) -> str:
    return " ".join(f"{c / 255:.3f}" for c in color)


def columns(text: str) -> int:
    """Columns a string takes in the CJK monospaced font: wide characters, and those of
    ambiguous width (·, —, ≥), take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@cache
def _font_file(pattern: str) -> tuple[str, int]:
    """The file and index in its collection of an installed font (fontconfig)."""
    found = subprocess.run(["fc-match", "--format=%{file}|%{index}|%{family}", pattern],
                           capture_output=True, text=True, check=True).stdout
    path, index, families = found.split("|", 2)
    if pattern.split(":")[0] not in families.split(","):
        raise RuntimeError(f"The font {pattern} is missing (Debian package fonts-noto-cjk).")
    return path, int(index)


def _subset(pattern: str, characters: set[int], target: Path) -> Path:
    path, index = _font_file(pattern)
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(characters)
    # The text is not shaped (CJK needs no ligatures): no glyph is reached through the
    # layout tables.
    wanted.flags = hb.SubsetFlags.NO_LAYOUT_CLOSURE
    target.write_bytes(hb.subset(hb.Face(hb.Blob.from_file_path(path), index), wanted).blob.data)
    return target


def _cid(glyph) -> int:
    return 0 if glyph.glyph_name == ".notdef" else int(glyph.glyph_name.removeprefix("cid"))


class _CIDNumbers(SubsetMap):
    """Each glyph written as its CID (fpdf2 numbers them 1, 2, 3... as they come)."""

    def __init__(self, font):
        super().__init__(font)
        self._char_id_per_glyph = {glyph: _cid(glyph) for glyph in self._char_id_per_glyph}

    def pick_glyph(self, glyph):
        if glyph is not None and glyph not in self._char_id_per_glyph:
            self._char_id_per_glyph[glyph] = _cid(glyph)
        return self._char_id_per_glyph.get(glyph)


class _IdentityH(OutputProducer):
    def _add_fonts(self, *args, **kwargs):
        fonts = super()._add_fonts(*args, **kwargs)
        for font in fonts.values():
            font.encoding = Name("Identity-H")  # instead of fpdf2's CMap, see _CIDNumbers
        return fonts


class Report(FPDF):
    """A4 pages with a running head (except on the cover) and "page / pages" at the foot."""

    def __init__(self, font_dir: Path, characters: set[int], running_head: str):
        super().__init__(format="A4", unit="mm")
        self.running_head = running_head
        self.set_margins(15, 18, 15)
        self.set_auto_page_break(True, margin=18)
        self.c_margin = 0  # text starts at the margin, as the monospaced sheets do
        for number, (family, style, pattern) in enumerate(FONTS):
            self.add_font(family, style, _subset(pattern, characters,
                                                 font_dir / f"{number}.otf"))
            font = self.fonts[family.lower() + style]
            font.subset = _CIDNumbers(font)
            # Recomputing the bounding boxes runs every glyph's outline (a second per report);
            # HarfBuzz kept those of the whole font, which hold the subset's as well.
            font.ttfont.recalcBBoxes = False
        self.set_text_color(*TEXT)
        self._widths: dict[tuple[str, str, float], float] = {}

    def output(self) -> bytes:
        return bytes(super().output(output_producer_class=_IdentityH))

    def header(self):
        if self.page_no() > 1:
            self._small(8, 9, self.running_head, "R")
            self.set_y(self.t_margin)

    def footer(self):
        self._small(9, -12, f"{self.page_no()} / {{nb}}", "C")

    def _small(self, size: float, y: float, text: str, align: str):
        family, style, font_size = self.font_family, self.font_style, self.font_size_pt
        self.set_font(SANS, "", size)
        self.set_text_color(*MUTED)
        self.set_y(y)
        self.cell(0, 4, text, align=align)
        self.set_font(family, style, font_size)
        self.set_text_color(*TEXT)

    def heading(self, text: str, keep: float = 20):
        """A section heading, ruled under, on the page of the first keep millimetres of what
        follows it."""
        if self.y + 12 + keep > self.page_break_trigger:
            self.add_page()
        self.set_y(self.y + (6 if self.y > self.t_margin + 1 else 0))
        self.set_font(SANS, "B", 14)
        self._wrapped(text, 7, "L")
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.y + 1, self.w - self.r_margin, self.y + 1)
        self.set_y(self.y + 4)

    def paragraph(self, text: str, size: float = 10, muted: bool = False, align: str = "L",
                  after: float = 2):
        self.set_font(SANS, "", size)
        self.set_text_color(*(MUTED if muted else TEXT))
        self._wrapped(text, size * PT * 1.5, align)
        self.set_text_color(*TEXT)
        self.set_y(self.y + after)

    def _wrapped(self, text: str, step: float, align: str):
        """Text over as many lines as it needs; one that fits is set directly, as breaking
        it into lines costs ten times as much (and there are two on each team page)."""
        width = self.get_string_width(text)
        if width > self.epw:
            self.multi_cell(0, step, text, align=align, new_x="LMARGIN", new_y="NEXT")
            return
        x = self.l_margin + {"L": 0, "C": (self.epw - width) / 2}[align]
        self.text(x, self.y + step * 0.75, text)
        self.y += step

    def sheet(self, text: str, size: float = 8.5, heading_lines: int = 2):
        """Aligned lines of monospaced text (see text_table) that run on over as many pages
        as they need, with their column headings again on each. Wide sheets are set smaller
        to fit the page."""
        lines = text.split("\n")
        widest = max(map(columns, lines)) or 1
        size = min(size, (self.epw / PT) / (widest / 2))
        step = size * PT * 1.45
        self.set_font(MONO, "", size)
        for number, line in enumerate(lines):
            if self.y + step > self.page_break_trigger:
                self.add_page()
                self.set_font(MONO, "", size)
                if number > heading_lines:
                    for heading in lines[:heading_lines]:
                        self._line(heading, step)
            self._line(line, step)
        self.set_y(self.y + 3)

    def grid(self, headers: list[str], rows: list[list[str]], widths: tuple[float, ...],
             align: str, size: float = 9, marks: list[dict[int, tuple]] | None = None,
             bold_rows: set[int] = frozenset(), leading: float = 1.9):
        """A table in the style of the indicator table (grey bold heading row, ruled cells),
        drawn directly, where fpdf2's table layout costs a paragraph a cell (a centre's report
        has hundreds of team tables): each cell one text operator written here (fpdf2's
        text() copies its graphics state at every call, and measuring a cell's text
        dominated: widths are kept per text), the rules drawn once per page of the table. It
        runs on over pages with its heading row again on each. widths are relative; align has
        one letter (L or R) a column; marks[row] maps a column to the colour its text is set
        in, bold. leading: the row's height in lines of text."""
        scale = self.epw / sum(widths)
        widths = tuple(w * scale for w in widths)
        step = size * PT * leading
        self.set_draw_color(201, 210, 220)
        self.set_line_width(0.2)
        if self.y + step * (1 + min(3, len(rows))) > self.page_break_trigger:
            self.add_page()
        top = self._grid_heading(headers, widths, align, step, size)
        for number, row in enumerate(rows):
            if self.y + step > self.page_break_trigger:
                self._grid_rules(top, widths)
                self.add_page()
                top = self._grid_heading(headers, widths, align, step, size)
            self._grid_cells(row, widths, align, step, size, bold=number in bold_rows,
                             marks=marks[number] if marks else None)
            self.line(self.l_margin, self.y, self.l_margin + self.epw, self.y)
        self._grid_rules(top, widths)
        # fpdf2 fills the text of the SVG charts with the current colour: back to black.
        self.set_fill_color(0)
        self.set_y(self.y + 3)

    def _grid_heading(self, headers, widths, align, step, size) -> float:
        top = self.y
        self.set_fill_color(238, 242, 245)
        self.rect(self.l_margin, self.y, self.epw, step, style="F")
        self._grid_cells(headers, widths, align, step, size, bold=True)
        self.line(self.l_margin, self.y, self.l_margin + self.epw, self.y)
        return top

    def _grid_rules(self, top: float, widths) -> None:
        """The frame and the column rules of the rows drawn on this page."""
        self.rect(self.l_margin, top, self.epw, self.y - top, style="D")
        x = self.l_margin
        for width in widths[:-1]:
            x += width
            self.line(x, top, x, self.y)

    def _grid_cells(self, cells, widths, align, step, size, bold=False, marks=None):
        x, pad, k = self.l_margin, 1.5, self.k
        out = [f"q {_rgb(TEXT)} rg"]
        for column, (text, width) in enumerate(zip(cells, widths)):
            text = str(text)
            if not text:
                x += width
                continue
            color = marks.get(column) if marks else None
            style = "B" if bold or color else ""
            if (self.font_style, self.font_size_pt) != (style, size):
                self.set_font(SANS, style, size)
            wide = self._width(text, style, size)
            room = width - 2 * pad
            if wide > room:  # a long name is set smaller to fit its cell
                self.set_font_size(max(5.5, size * room / wide))
                wide = self.get_string_width(text)
            # The font inside each text object: the q … Q around the row restores the
            # page's own afterwards (and fpdf2 sets it again for the text that follows).
            tf = self._set_font_for_page(self.current_font, self.font_size_pt,
                                         wrap_in_text_object=False)
            tx = x + width - pad - wide if align[column] == "R" else x + pad
            ty = self.y + step * 0.5 + self.font_size * 0.36
            glyphs = self.current_font.encode_text(text)
            positioned = f"BT {tf} {tx * k:.2f} {(self.h - ty) * k:.2f} Td {glyphs} ET"
            out.append(f"q {_rgb(color)} rg {positioned} Q" if color else positioned)
            x += width
        out.append("Q")
        self._out(" ".join(out))
        self.current_font_is_set_on_page = False
        self.y += step

    def _width(self, text: str, style: str, size: float) -> float:
        key = (text, style, size)
        wide = self._widths.get(key)
        if wide is None:
            wide = self._widths[key] = self.get_string_width(text)
        return wide

    def grid_height(self, rows: int, size: float = 9, leading: float = 1.9) -> float:
        """Millimetres a grid of this many rows (and its heading row) takes."""
        return (rows + 1) * size * PT * leading + 3

    def _line(self, line: str, step: float):
        if line.strip():
            self.text(self.l_margin, self.y + step * 0.75, line)
        self.y += step

    def chart_size(self, svg: str) -> tuple[float, float]:
        """Width and height of an SVG chart set across the page, or smaller where it would not
        fit on a page under a heading."""
        width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
        scale = min(self.epw / width, (self.page_break_trigger - self.t_margin - 15) / height)
        return width * scale, height * scale

    def chart(self, svg: str):
        """An SVG chart (healthgrid.charts), on the next page if it does not fit on this one."""
        width, height = self.chart_size(svg)
        if self.y + height > self.page_break_trigger:
            self.add_page()
        # The web pages give the charts their font through CSS, which fpdf2 does not read.
        svg = svg.replace("<svg ", f'<svg font-family="{SANS}" ', 1)
        self.image(BytesIO(svg.encode()), x=self.l_margin + (self.epw - width) / 2, y=self.y,
                   w=width)
        self.set_y(self.y + height + 4)


@contextmanager
def report(text: str, running_head: str) -> Iterator[Report]:
    """A Report whose fonts hold the characters of text (all that the pages will show) and
    those of ASCII."""
    characters = set(map(ord, text + running_head)) | set(range(32, 127))
    with tempfile.TemporaryDirectory(prefix="healthgrid-fonts-") as font_dir:
        yield Report(Path(font_dir), characters, running_head)
