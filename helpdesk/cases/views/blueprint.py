"""The ``cases`` blueprint, in a module of its own so the page modules register their routes
on it without importing the package that imports them."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
