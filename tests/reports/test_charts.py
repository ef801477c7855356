"""The SVG charts: valid XML, accessible (role, title, description), escaped, every kind."""

import xml.etree.ElementTree as ET

import pytest

from helpdesk.reports.charts import KINDS, Chart, Series, svg

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_valid_svg_with_title_and_description(kind):
    chart = Chart(
        kind,
        "Opened <per> day",
        ["Mon", "Tue", "Wed"],
        [Series("web", [1, 4, 0]), Series("mail & phone", [2, 0, 3])],
        description="Cases opened.",
    )
    root = ET.fromstring(str(svg(chart)))
    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    title, desc = root.find(NS + "title"), root.find(NS + "desc")
    assert title.text == "Opened <per> day"  # escaped in the markup, exact once parsed
    assert desc.text.startswith("Cases opened.")
    assert "mail & phone: Mon: 2, Tue: 0, Wed: 3" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.find(f".//{NS}script") is None
    shapes = root.findall(f".//{NS}rect") + root.findall(f".//{NS}circle")
    assert shapes, "the chart draws its values"


def test_bars_are_as_high_as_their_values():
    root = ET.fromstring(str(svg(Chart("bar", "t", ["a", "b"], [Series("n", [5, 10])]))))
    heights = [float(r.get("height")) for r in root.findall(f"{NS}rect")]
    assert heights[1] == pytest.approx(2 * heights[0])


def test_stacked_bars_add_up():
    chart = Chart("stacked", "t", ["a"], [Series("x", [3]), Series("y", [7])])
    root = ET.fromstring(str(svg(chart)))
    bars = [r for r in root.findall(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert [b.find(f"{NS}title").text for b in bars] == ["a · x: 3", "a · y: 7"]
    # the second starts where the first ends
    first, second = bars
    assert float(second.get("y")) + float(second.get("height")) == pytest.approx(
        float(first.get("y"))
    )


def test_rows_and_total_are_the_numbers_behind_the_picture():
    chart = Chart("line", "t", ["a", "b"], [Series("x", [1, 2]), Series("y", [3, 4])])
    assert chart.rows == [["a", 1, 3], ["b", 2, 4]]
    assert chart.total == 10


def test_a_series_of_the_wrong_length_or_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        Chart("bar", "t", ["a", "b"], [Series("x", [1])])
    with pytest.raises(ValueError):
        Chart("pie", "t", ["a"], [Series("x", [1])])


def test_bars_of_several_series_stand_side_by_side():
    chart = Chart("bar", "t", ["a"], [Series("median", [2]), Series("target", [4])])
    root = ET.fromstring(str(svg(chart)))
    median, target = [r for r in root.findall(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert float(target.get("x")) == pytest.approx(
        float(median.get("x")) + float(median.get("width"))
    )
    assert float(target.get("height")) == pytest.approx(2 * float(median.get("height")))
