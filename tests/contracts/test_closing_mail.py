"""The closing mail says how the case was settled (seed 004: "kostenpflichtige
Unterstützungsleistung oder kostenlose Fehlerbeseitigung"), for the core and seed 004's plugin,
through a real SMTP server."""

import pytest

from helpdesk import demo
from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.contracts import billing
from helpdesk.policy import Category, current_policy
from helpdesk.testing import DEMO_PASSWORD

SENTENCES = {
    True: "als kostenpflichtige Unterstützungsleistung",
    False: "als kostenlose Fehlerbehebung",
}


@pytest.mark.parametrize(
    ("plugins", "case_type", "billable"),
    [
        ((), "fault", False),
        ((), "question", True),
        (("small_vendor",), "error", False),
        (("small_vendor",), "help", True),
    ],
)
def test_closing_mail_settles_free_fix_or_billable(
    make_app, smtp_server, open_case, plugins, case_type, billable
):
    app = make_app(*plugins, **smtp_server.settings)
    with app.app_context():
        demo.load(password=DEMO_PASSWORD)
        mia = User.get(User.email == "mia.member@muster.example")
        User.update(language="de").where(User.id == mia.id).execute()
        case = open_case(User.get_by_id(mia.id), case_type=case_type)
    agent = User.get(User.email == "erik.first@vendor.example")
    with app.app_context():
        assert billing.default_billable(case) is billable
        billing.settle(agent, case, billable)
    with app.app_context():
        solved = next(s for s in current_policy().statuses if s.category == Category.SOLVED)
        service.move_status(Case.get_by_id(case.id), agent, solved.key)
    texts = [m.get_body(("plain",)).get_content() for m in smtp_server.messages_to(mia.email)]
    assert any(SENTENCES[billable] in text for text in texts), texts
    assert not any(SENTENCES[not billable] in text for text in texts)
