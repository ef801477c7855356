"""Compiled templates shared by the apps of a test session.

Every test builds apps of its own, and each app's Jinja environment compiles every template it
renders anew: lexing, parsing and generating Python took about a third of the CPU of the tests
that render pages. A process of the portal builds one app, so there it costs nothing. The
session keeps each template's compiled code under its name, file and source (Jinja's own
bytecode cache key and checksum) and the environment's settings that shape the code, so a
changed template or an app set up otherwise is compiled anew.
"""

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket


class SharedTemplates(BytecodeCache):
    """Jinja's bytecode cache, in memory, for every app of the session."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.compiled.get(self._key(bucket))

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[self._key(bucket)] = bucket.code

    @staticmethod
    def _key(bucket: Bucket) -> tuple:
        return bucket.key, bucket.checksum, settings(bucket.environment)


def settings(environment: Environment) -> tuple:
    """What of ``environment`` goes into a template's compiled code: its syntax, extensions
    and options, and the filters and tests it knows with what each is passed (a context, the
    environment...). Flask's autoescape is a bound method of its app: the function counts."""
    autoescape, finalize = (
        getattr(value, "__func__", value)
        for value in (environment.autoescape, environment.finalize)
    )
    return (
        type(environment),
        tuple(sorted(environment.extensions)),
        _passed(environment.filters),
        _passed(environment.tests),
        getattr(environment, "newstyle_gettext", None),
        autoescape,
        finalize,
        environment.optimized,
        environment.is_async,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
    )


def _passed(functions: dict) -> tuple:
    return tuple(
        sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in functions.items())
    )


#: The session's compiled templates (``make_app`` hands it to every app's environment).
SHARED = SharedTemplates()
