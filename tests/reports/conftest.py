"""The reports' tests run in an app context with the demo data."""

import pytest


@pytest.fixture
def world(app, demo_people):
    with app.app_context():
        yield demo_people
