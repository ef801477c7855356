"""Fixtures for inbound mail: the demo people, a customer of another organisation, and one
open case of Mia's that replies in the corpus answer (``{CALL_ID}`` in a corpus file is
replaced by its call id). The ``app`` is the mail tests' one, sending to a real SMTP server.
``pipe`` runs the pipe command in a process of its own, as an MTA does.
"""

import os
import subprocess

import pytest

from helpdesk.accounts.models import CustomerRole, Organisation, User
from helpdesk.cases import service
from helpdesk.products.models import Product
from tests.conftest import ROOT, SECRET
from tests.mail.inbound.helpers import FLASK_COMMAND, MailWorld


@pytest.fixture
def world(app, demo_people):
    with app.app_context():
        other = Organisation.create(name="Other AG")
        outsider = User.create(
            email="olaf@other.example",
            name="Olaf Other",
            organisation=other,
            customer_role=CustomerRole.MEMBER,
            support_authorised=True,
        )
        policy = app.extensions["policy"]
        case = service.open_case(
            service.NewCase(
                requester=demo_people["mia.member"],
                product=Product.select().order_by(Product.id).first(),
                subject="Drucker",
                description="Der Drucker druckt nicht.",
                case_type=policy.case_types[0].key,
                severity=next(s.key for s in policy.severities if not s.needs_impact),
            )
        )
        return MailWorld(demo_people, case, outsider)


@pytest.fixture
def pipe(schema, tmp_path, smtp_server):
    """Run the pipe command on ``raw``; returns the finished process."""
    env = dict(
        os.environ,
        SECRET_KEY=SECRET,
        DATABASE_URL=schema,
        HELPDESK_INSTANCE=str(tmp_path / "pipe-instance"),
        HELPDESK_PLUGINS="",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_server.port),
        MAIL_DEFAULT_SENDER="support@vendor.example",
        MAIL_DOMAIN="portal.vendor.example",
    )

    def run(raw: bytes, command=FLASK_COMMAND, **overrides):
        return subprocess.run(
            command,
            input=raw,
            capture_output=True,
            cwd=ROOT,
            env={**env, **overrides},
            timeout=60,
        )

    return run
