"""The dashboard as one PDF (fpdf2, pinned for the contracts' statements): each figure's
picture (our SVG, which fpdf2 draws as vector paths) and its numbers as a table.

fpdf2's core font writes Latin-1 only, in the text and in the SVG's labels alike, so every
text goes through ``_latin1`` first (dashes and quotes as their ASCII look-alikes, anything
else outside Latin-1 as "?"). fpdf2 does not read SVG's ``<title>`` and ``<desc>``; the
figure's title and description are written above the picture instead.
"""

import io
import logging
from dataclasses import replace

from fpdf import FPDF

from helpdesk.reports.charts import Chart, Series, svg

#: fpdf2 warns about every ``<title>``/``<desc>`` it skips; we write both as text ourselves.
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)

_LOOK_ALIKES = str.maketrans({"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "‘": "'"})


def _latin1(text) -> str:
    return str(text).translate(_LOOK_ALIKES).encode("latin-1", "replace").decode("latin-1")


def _printable(chart: Chart) -> Chart:
    return replace(
        chart,
        title=_latin1(chart.title),
        labels=[_latin1(label) for label in chart.labels],
        series=[Series(_latin1(s.name), s.values) for s in chart.series],
        description=_latin1(chart.description),
    )


def dashboard_pdf(heading: str, period: str, figures: list) -> bytes:
    """``figures`` (the dashboard's) under ``heading`` and ``period``, one after the other."""
    document = FPDF()
    document.set_title(_latin1(heading))
    document.add_page()
    document.set_font("helvetica", size=16)
    document.multi_cell(0, 9, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
    document.set_font("helvetica", size=10)
    document.multi_cell(0, 6, _latin1(period), new_x="LMARGIN", new_y="NEXT")
    for figure in figures:
        chart = _printable(figure.chart)
        document.add_page()
        document.set_font("helvetica", style="B", size=12)
        document.multi_cell(0, 7, chart.title, new_x="LMARGIN", new_y="NEXT")
        document.set_font("helvetica", size=9)
        document.multi_cell(0, 5, chart.description, new_x="LMARGIN", new_y="NEXT")
        document.image(io.BytesIO(str(svg(chart)).encode()), w=180)
        document.ln(4)
        with document.table(first_row_as_headings=True, text_align="RIGHT") as table:
            table.row(["", *(series.name for series in chart.series)])
            for label, *values in chart.rows:
                table.row([label, *(str(value) for value in values)])
        for call_id, text in figure.items:
            document.multi_cell(0, 5, _latin1(f"{call_id}: {text}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
