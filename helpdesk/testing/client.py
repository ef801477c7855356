"""The test client every app of ``make_app`` hands out: CSRF tokens as a browser sends them."""

import contextvars
import uuid

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every request, as a browser would.

    CSRF protection stays on in every test; ``csrf=False`` on a request leaves it out.
    """

    def open(self, *args, csrf=True, **kwargs):
        if csrf:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        # A fresh context, as a server gives every request: an app context the test has
        # pushed would otherwise be reused, and with it ``g`` (the signed-in user, the
        # locale) from the previous request.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex)
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def sign_in_as(self, user) -> "CsrfClient":
        """Sign ``user`` in without a password round trip (a sign-in record all the same)."""
        from helpdesk.accounts import sessions

        with self.application.app_context():
            session_id = sessions.start(user).get_id()
        with self.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        return self
