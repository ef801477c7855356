"""Fixtures of the contracts area: the demo data, a PDF template, a foreign organisation."""

import io

import pytest

from helpdesk.accounts.models import Organisation, User


def pdf(*lines: str) -> bytes:
    """A real one-page PDF with ``lines`` of text (what a vendor or customer uploads)."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    for line in lines:
        document.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def text_of(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def people(app, demo_people):
    return demo_people


@pytest.fixture
def foreigner(app, demo_people):
    """The portal admin of another organisation."""
    with app.app_context():
        other = Organisation.create(name="Fremd AG")
        return User.create(
            email="frida@fremd.example",
            name="Frida Fremd",
            kind="customer",
            organisation=other,
            customer_role="portal_admin",
            support_authorised=True,
        )
