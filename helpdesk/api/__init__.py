"""The JSON API (issue 18): personal access tokens and ``/api/v1/``."""
