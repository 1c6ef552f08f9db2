"""A report as a printable A4 PDF with charts (reportlab): the title, the report's sentences,
the events' last 12 months as a chart, then each module's table of figures with a chart of this
period against the previous one and the same period last year (rates against their targets).

The text is set in STSong-Light, the CJK font every PDF reader carries, so no font ships with
the site; REPORT_PDF_FONT (CIVICGRID_PDF_FONT) names a TrueType/OpenType file to embed instead.
"""

import functools
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicgrid.cockpit.report_selectors import Content, Part
from civicgrid.cockpit.reports import approx

CID_FONT = "STSong-Light"
FILE_FONT = "CivicgridReport"

# This period, the previous one, the same period last year; the target line.
COLOURS = ("#c0392b", "#7f8c8d", "#d5a6a1")
TARGET_COLOUR = "#2c3e50"


@functools.cache
def font_name(path: str = "") -> str:
    """The font's name, registered once: the file at `path`, or the CID font."""
    from reportlab.pdfbase import pdfmetrics

    if path:
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(FILE_FONT, path, subfontIndex=0))
        return FILE_FONT
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return approx(value)
    return f"{value:,}"


def _change(value) -> str:
    if value is None:
        return "—"
    text = approx(round(value, 1)) if isinstance(value, float) else f"{value:,}"
    return f"+{text}" if value > 0 else text


def _bars(part: Part, font: str, width: float, rates: bool):
    """A grouped bar chart of the part's counts (or rates): this period, previous, last year."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, Line
    from reportlab.lib import colors

    rows = [r for r in part.rows if (r.figure.measure == "%") == rates]
    rows = [r for r in rows if r.figure.value is not None]
    if not rows:
        return None
    series = [
        [float(r.figure.value or 0) for r in rows],
        [float(r.figure.previous or 0) for r in rows],
        [float(r.figure.last_year or 0) for r in rows],
    ]
    if part.now_only:
        series = series[:1]
    if not any(any(values) for values in series):
        return None  # nothing to draw: the table says 0
    height = 150
    drawing = Drawing(width, height + 40)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, width - 60, height - 20
    chart.data = series
    chart.categoryAxis.categoryNames = [r.figure.label for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 20 if len(rows) > 4 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 4 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    # Head room above the tallest bar for its label (rates: up to 100%).
    top = 115.0 if rates else max([max(s) for s in series] + [1.0]) * 1.15
    chart.valueAxis.valueMax = top
    chart.barSpacing = 1
    chart.groupSpacing = 8
    for index, colour in enumerate(COLOURS[: len(series)]):
        chart.bars[index].fillColor = colors.HexColor(colour)
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = lambda v: approx(v) if rates else approx(int(v))
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 5
    drawing.add(chart)
    if rates:  # each rate's target, as a short line over its group
        step = chart.width / len(rows)
        for index, row in enumerate(rows):
            if row.figure.target is None:
                continue
            y = chart.y + chart.height * row.figure.target / top
            x = chart.x + step * index
            line = Line(x + 3, y, x + step - 3, y, strokeColor=colors.HexColor(TARGET_COLOUR))
            line.strokeDashArray = [3, 2]
            drawing.add(line)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 7
    legend.x, legend.y = 40, height + 32
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    names = [
        pgettext("report", "This period"),
        pgettext("report", "Previous period"),
        pgettext("report", "Same period last year"),
    ]
    legend.colorNamePairs = [
        (colors.HexColor(colour), str(name))
        for colour, name in zip(COLOURS[: len(series)], names, strict=False)
    ]
    if rates and any(row.figure.target is not None for row in rows):
        legend.colorNamePairs.append(
            (colors.HexColor(TARGET_COLOUR), str(pgettext("report", "Target")))
        )
    drawing.add(legend)
    return drawing


def _trend(report: Content, font: str, width: float):
    """The events reported and closed in each of the last 12 months."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    if not report.trend:
        return None
    height = 150
    drawing = Drawing(width, height + 40)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 60, height - 10
    chart.data = [
        [m["reported"] or 0 for m in report.trend],
        [m["closed"] or 0 for m in report.trend],
    ]
    chart.categoryAxis.categoryNames = [m["period"][2:] for m in report.trend]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = font, 7
    chart.valueAxis.valueMin = 0
    chart.barSpacing, chart.groupSpacing = 1, 6
    for index, colour in enumerate(COLOURS[:2]):
        chart.bars[index].fillColor = colors.HexColor(colour)
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 7
    legend.x, legend.y = 40, height + 32
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [
        (colors.HexColor(COLOURS[0]), str(_("Reported"))),
        (colors.HexColor(COLOURS[1]), str(_("Closed"))),
    ]
    drawing.add(legend)
    return drawing


def pdf(report: Content) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = font_name(str(settings.REPORT_PDF_FONT or ""))
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER)
    subtitle = ParagraphStyle("subtitle", parent=base, fontSize=9, alignment=TA_CENTER)
    heading = ParagraphStyle(
        "heading", parent=base, fontSize=13, leading=20, spaceBefore=5 * mm, spaceAfter=2 * mm
    )
    bullet = ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2)
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=12)
    width = A4[0] - 40 * mm

    made = timezone.localtime()
    story: list = [
        Paragraph(escape(report.title), title),
        Paragraph(
            escape(
                f"{report.period.first:%Y-%m-%d} — {report.period.last:%Y-%m-%d}，"
                + _("generated %(when)s") % {"when": f"{made:%Y-%m-%d %H:%M}"}
            ),
            subtitle,
        ),
        Spacer(0, 4 * mm),
        Paragraph(escape(pgettext("report", "Main figures")), heading),
    ]
    highlights = report.highlights_by_part()
    story += [
        Paragraph(
            f"<b>{escape(title)}</b>　" + escape("；".join(p.sentence for p in phrases)) + "。",
            bullet,
            bulletText="•",
        )
        for title, phrases in highlights
    ]
    if not highlights:
        story.append(Paragraph(escape(_("No figures for this period.")), base))
    trend = _trend(report, font, width)
    if trend is not None:
        story.append(
            KeepTogether([Paragraph(escape(_("Events in the last 12 months")), heading), trend])
        )

    headers = [
        pgettext("report", "Figure"),
        pgettext("report", "This period"),
        pgettext("report", "Previous period"),
        pgettext("report", "Change"),
        pgettext("report", "Same period last year"),
        pgettext("report", "Target"),
    ]
    for part in report.parts:
        rows = [[Paragraph(escape(str(h)), cell) for h in headers]]
        for row in part.rows:
            figure = row.figure
            measure = figure.measure
            rows.append(
                [
                    Paragraph(
                        escape(f"{figure.label}（{measure}）" if measure else figure.label), cell
                    ),
                    _number(figure.value),
                    _number(figure.previous),
                    _change(figure.change),
                    _number(figure.last_year),
                    "—" if figure.target is None else approx(float(figure.target)),
                ]
            )
        table = Table(rows, colWidths=[width * 0.3] + [width * 0.14] * 5, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2e6e4")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        block: list = [Paragraph(escape(part.title), heading), table, Spacer(0, 3 * mm)]
        story.append(KeepTogether(block))
        for rates in (False, True):
            chart = _bars(part, font, width, rates)
            if chart is not None:
                story += [chart, Spacer(0, 2 * mm)]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        # No "·": STSong-Light has no glyph for it.
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{report.title}    {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author="civicgrid",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
