"""A display list of pages: every text, line and box a layout draws, in drawing order.

Layouts draw onto `Page` objects with top-down coordinates (points from the top-left corner, text placed
by its baseline). Rendering replays the list onto a ReportLab canvas, so one layout serves text-layer
PDFs, scans and photos alike, and `Page.words()` is exactly what was drawn.

`Table` draws a line-item or transaction table whose cells wrap onto several lines, and `flow_table`
continues it on new pages with "carried forward" / "brought forward" rows.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from reportlab.pdfbase.pdfmetrics import stringWidth

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
MONO = "Courier"

A4 = (595.2756, 841.8898)
LETTER = (612.0, 792.0)

BLACK = (0.0, 0.0, 0.0)
Color = tuple[float, float, float]


def gray(level: float) -> Color:
    return (level, level, level)


@dataclasses.dataclass(frozen=True)
class TextOp:
    x: float
    y: float
    text: str
    font: str
    size: float
    align: str
    color: Color


@dataclasses.dataclass(frozen=True)
class LineOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: Color


@dataclasses.dataclass(frozen=True)
class RectOp:
    x: float
    y: float  # top edge
    width: float
    height: float
    fill: Color | None
    stroke: Color | None
    line_width: float


@dataclasses.dataclass(frozen=True)
class CircleOp:
    x: float
    y: float
    radius: float
    fill: Color


class Page:
    """One page: its size as displayed, an optional /Rotate, and the drawing operations in order."""

    def __init__(self, width: float, height: float, rotate: int = 0):
        self.width = width
        self.height = height
        self.rotate = rotate
        self.ops: list[TextOp | LineOp | RectOp | CircleOp] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        font: str = REGULAR,
        size: float = 9.0,
        align: str = "left",
        color: Color = BLACK,
    ) -> None:
        if not text.strip():
            return
        for ch in text:
            if ch in "\u00a0\u202f\t\n":
                raise ValueError(f"text {text!r} contains a character that would split words unseen")
        self.ops.append(TextOp(x, y, text, font, size, align, color))

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5, color: Color = BLACK) -> None:
        self.ops.append(LineOp(x1, y1, x2, y2, width, color))

    def hline(self, x1: float, x2: float, y: float, width: float = 0.5, color: Color = BLACK) -> None:
        self.line(x1, y, x2, y, width, color)

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill: Color | None = None,
        stroke: Color | None = None,
        line_width: float = 0.5,
    ) -> None:
        self.ops.append(RectOp(x, y, width, height, fill, stroke, line_width))

    def circle(self, x: float, y: float, radius: float, fill: Color) -> None:
        self.ops.append(CircleOp(x, y, radius, fill))

    def words(self) -> list[str]:
        """Every word drawn on the page, in drawing order (whitespace-split tokens of each string)."""
        return [word for op in self.ops if isinstance(op, TextOp) for word in op.text.split()]


def text_width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap to lines no wider than max_width (a single over-long word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def draw_lines(
    page: Page,
    x: float,
    y: float,
    lines: list[str],
    font: str = REGULAR,
    size: float = 9.0,
    leading: float | None = None,
    align: str = "left",
    color: Color = BLACK,
) -> float:
    """Draw lines of text downwards from baseline y; return the baseline after the last line."""
    step = leading if leading is not None else size * 1.25
    for line in lines:
        page.text(x, y, line, font, size, align, color)
        y += step
    return y


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    title: str  # "\n" splits the header over two lines
    width: float
    align: str = "left"  # left | right | center
    wraps: bool = False


@dataclasses.dataclass(frozen=True)
class TableStyle:
    size: float = 8.5
    header_size: float = 8.0
    leading: float = 10.5
    padding: float = 4.0
    grid: bool = False  # vertical and horizontal rules around every cell
    row_rules: bool = True  # a thin rule under each row
    header_fill: Color | None = None
    header_color: Color = BLACK
    header_rule: tuple[float, Color] | None = (0.8, BLACK)
    rule_color: Color = gray(0.6)
    zebra: Color | None = None
    font: str = REGULAR
    header_font: str = BOLD


class Table:
    """Columns and a style; draws the header and rows at a given position and measures them."""

    def __init__(self, x: float, columns: list[Column], style: TableStyle):
        self.x = x
        self.columns = columns
        self.style = style
        self.width = sum(c.width for c in columns)

    def _cell_x(self, index: int) -> tuple[float, float]:
        left = self.x + sum(c.width for c in self.columns[:index])
        return left, left + self.columns[index].width

    def header_height(self) -> float:
        n_lines = max(len(c.title.split("\n")) for c in self.columns)
        return n_lines * (self.style.header_size + 2) + 2 * self.style.padding

    def draw_header(self, page: Page, top: float) -> float:
        style = self.style
        height = self.header_height()
        if style.header_fill:
            page.rect(self.x, top, self.width, height, fill=style.header_fill)
        for index, column in enumerate(self.columns):
            left, right = self._cell_x(index)
            baseline = top + style.padding + style.header_size
            for title_line in column.title.split("\n"):
                self._draw_cell_text(
                    page,
                    column,
                    left,
                    right,
                    baseline,
                    title_line,
                    style.header_font,
                    style.header_size,
                    style.header_color,
                )
                baseline += style.header_size + 2
        if style.grid:
            self._draw_grid(page, top, height)
        elif style.header_rule:
            width, color = style.header_rule
            page.hline(self.x, self.x + self.width, top + height, width, color)
        return top + height

    def _draw_cell_text(
        self,
        page: Page,
        column: Column,
        left: float,
        right: float,
        baseline: float,
        text: str,
        font: str,
        size: float,
        color: Color,
    ) -> None:
        pad = self.style.padding
        if text_width(text, font, size) > right - left - 2 * pad + 0.5:
            raise ValueError(f"{text!r} does not fit in column {column.key!r} ({column.width} pt wide)")
        if column.align == "right":
            page.text(right - pad, baseline, text, font, size, "right", color)
        elif column.align == "center":
            page.text((left + right) / 2, baseline, text, font, size, "center", color)
        else:
            page.text(left + pad, baseline, text, font, size, "left", color)

    def cell_lines(self, row: dict[str, str], bold: bool = False) -> dict[str, list[str]]:
        font = self.style.header_font if bold else self.style.font
        lines = {}
        for column in self.columns:
            value = row.get(column.key, "")
            if column.wraps:
                lines[column.key] = wrap(value, font, self.style.size, column.width - 2 * self.style.padding)
            else:
                lines[column.key] = [value] if value else []
        return lines

    def row_height(self, row: dict[str, str], bold: bool = False) -> float:
        n_lines = max([1] + [len(v) for v in self.cell_lines(row, bold).values()])
        return (n_lines - 1) * self.style.leading + self.style.size + 2 * self.style.padding + 1

    def draw_row(
        self, page: Page, top: float, row: dict[str, str], bold: bool = False, fill: Color | None = None
    ) -> float:
        style = self.style
        height = self.row_height(row, bold)
        if fill:
            page.rect(self.x, top, self.width, height, fill=fill)
        font = style.header_font if bold else style.font
        cells = self.cell_lines(row, bold)
        for index, column in enumerate(self.columns):
            left, right = self._cell_x(index)
            baseline = top + style.padding + style.size
            for line in cells[column.key]:
                self._draw_cell_text(page, column, left, right, baseline, line, font, style.size, BLACK)
                baseline += style.leading
        if style.grid:
            self._draw_grid(page, top, height)
        elif style.row_rules:
            page.hline(self.x, self.x + self.width, top + height, 0.4, style.rule_color)
        return top + height

    def _draw_grid(self, page: Page, top: float, height: float) -> None:
        color = self.style.rule_color
        page.hline(self.x, self.x + self.width, top, 0.5, color)
        page.hline(self.x, self.x + self.width, top + height, 0.5, color)
        edge = self.x
        page.line(edge, top, edge, top + height, 0.5, color)
        for column in self.columns:
            edge += column.width
            page.line(edge, top, edge, top + height, 0.5, color)


@dataclasses.dataclass
class FlowResult:
    pages: list[Page]
    y: float  # where the content after the table may start on the last page


def flow_table(
    table: Table,
    rows: list[dict[str, str]],
    first_page: Page,
    top: float,
    bottom: float,
    room_after_last_row: float,
    new_page: Callable[[int], tuple[Page, float]],
    carried_row: Callable[[int], dict[str, str]],
    brought_row: Callable[[int], dict[str, str]],
    zebra: bool = False,
) -> FlowResult:
    """Draw `rows` from `top`, starting new pages when a row (plus a carried-forward row, or plus
    `room_after_last_row` for the last row) would pass `bottom`.

    `new_page(page_number)` makes a page with its repeated header and returns where the table may start;
    `carried_row(n_rows_done)` / `brought_row(n_rows_done)` give the subtotal rows at the page break.
    """
    pages = [first_page]
    page = first_page
    y = table.draw_header(page, top)
    for index, row in enumerate(rows):
        is_last = index == len(rows) - 1
        carry_height = table.row_height(carried_row(index), bold=True)
        needed = table.row_height(row) + (room_after_last_row if is_last else carry_height)
        if y + needed > bottom and index > 0:
            table.draw_row(page, y, carried_row(index), bold=True)
            page, y = new_page(len(pages) + 1)
            pages.append(page)
            y = table.draw_header(page, y)
            y = table.draw_row(page, y, brought_row(index), bold=True)
        fill = table.style.zebra if (zebra and table.style.zebra and index % 2 == 1) else None
        y = table.draw_row(page, y, row, fill=fill)
    return FlowResult(pages, y)
