"""The hook ``helpdesk_report_figures``: a vendor's own figure on the dashboard, drawn,
tabled and exported like the core's, for a customer from their own organisation only."""

import pytest

from helpdesk import hookimpl
from helpdesk.reports.charts import Chart, Series
from helpdesk.reports.service import Figure, open_counts


class ByCaseType:
    seen = []

    @hookimpl
    def helpdesk_report_figures(self, user, filters):
        self.seen.append(filters.organisation)
        counts = open_counts(filters, "case_type")
        keys = sorted(counts)
        return [
            Figure(
                "open_by_type",
                Chart(
                    "bar", "Open cases by type", keys, [Series("Cases", [counts[k] for k in keys])]
                ),
            )
        ]


@pytest.mark.hook("helpdesk_report_figures")
def test_a_plugins_figure_is_drawn_tabled_and_exported(make_app, open_case):
    from helpdesk import demo
    from helpdesk.testing.cases import person

    app = make_app(ByCaseType())
    with app.app_context():
        demo.load(password="x" * 12)
        open_case("mia.member")
        open_case("martin.main")
        martin, agent = person("martin.main"), person("erik.first")
    page = app.test_client().sign_in_as(agent).get("/reports/").get_data(as_text=True)
    assert 'id="figure-open_by_type"' in page and "Open cases by type" in page
    client = app.test_client().sign_in_as(martin)
    export = client.post("/reports/open_by_type/export", data={"fmt": "csv"})
    assert export.status_code == 200
    rows = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == ";Cases" and rows[1].endswith(";2")
    assert ByCaseType.seen[-1] == martin.organisation_id  # the customer's own organisation
