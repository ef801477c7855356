"""``/api/v1/``: the JSON API (issue 18), on the same services and permission functions as
the pages.

Only a bearer token authorises a call (``Authorization: Bearer hd_...``): the blueprint
ignores the session cookie, so a page a victim has open can never call the API for them,
which is also why Flask-WTF's CSRF check does not apply here. The token's person is the
current user for the request (their language, their permissions); each operation names the
scope its token needs. A refused role, like an object the person may not see, is a 404, as on
the pages; a missing scope is a 403. Every call counts against the token's rate limit.
"""

import logging
from functools import wraps

from flask import Blueprint, current_app, g, request
from flask_babel import refresh
from werkzeug.exceptions import HTTPException

from helpdesk import ratelimit
from helpdesk.api import tokens
from helpdesk.api.problems import Problem, problem_response
from helpdesk.cases.errors import CaseError
from helpdesk.db import is_busy
from helpdesk.errors import RETRY_AFTER
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.permissions import NotAllowed

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: Operations anyone may call without a token (the description of the API).
PUBLIC = {"api.openapi_json", "api.docs"}


def person_of_token():
    """The person whose token authorised this call."""
    return g.api_token.user


def needs(scope: str):
    """The token must carry ``scope`` (``tokens.SCOPES``) for this operation."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not tokens.has_scope(g.api_token, scope):
                raise Problem(
                    403,
                    _l("The access token lacks the scope %(scope)s.", scope=scope),
                    headers={
                        "WWW-Authenticate": f'Bearer error="insufficient_scope" scope="{scope}"'
                    },
                )
            return view(*args, **kwargs)

        guarded.scope = scope
        return guarded

    return decorator


@bp.before_request
def _authenticate():
    g.api_token = None
    if request.endpoint in PUBLIC:
        # The description authorises nothing: a signed-in reader keeps their language.
        return None
    # Whatever cookie came along, nobody is signed in until a token says who.
    g._login_user = current_app.login_manager.anonymous_user()
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        raise Problem(
            401,
            _l("The access token is missing or unknown."),
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    check = tokens.authenticate(secret.strip())
    if check.token is None:
        raise Problem(
            401, check.reason, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    g._login_user = check.token.user
    g.api_token = check.token
    g.pop("_language", None)
    refresh()  # the token's person's language from here on
    if not ratelimit.allow("api_token", str(check.token.id)):
        raise Problem(429, headers={"Retry-After": "60"})
    return None


@bp.errorhandler(Problem)
def _problem(error: Problem):
    return problem_response(error.status, error.detail, error.errors, error.headers)


@bp.errorhandler(NotAllowed)
def _not_allowed(error: NotAllowed):
    return problem_response(404)


@bp.errorhandler(CaseError)
def _refused(error: CaseError):
    errors = {error.field: [str(error)]} if error.field else None
    return problem_response(422, str(error), errors)


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    return problem_response(error.code or 500)


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _http(error)
    if is_busy(error):
        return problem_response(503, headers={"Retry-After": str(RETRY_AFTER)})
    if current_app.testing:
        raise error
    log.exception("unhandled error in the API", exc_info=error)
    return problem_response(500)
