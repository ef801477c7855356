"""A worker gives a password check's memory back, and keeps what it is made of out of the
garbage collector's full collections (``helpdesk.memory``)."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

_SCRIPT = textwrap.dedent(
    """
    import sys
    from helpdesk import create_app
    from helpdesk.accounts.passwords import hash_password, verify_password

    def resident_kib():
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1])

    folder = sys.argv[1]
    create_app({"SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{folder}/db",
                "INSTANCE_PATH": folder})
    stored = hash_password("a password")  # argon2's block, mapped and freed
    before = resident_kib()
    for _ in range(3):
        assert verify_password(stored, "a password")
    print(resident_kib() - before)
    """
)


def test_a_worker_keeps_no_password_checks_memory_after_it(tmp_path):
    """Without ``return_large_blocks`` glibc raised its threshold for mapped blocks to the
    first freed hash's size, and every later check's 12 MiB stayed in the worker."""
    grown = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(grown) < 4 * 1024, f"the worker kept {int(grown)} KiB after three checks"


_FROZEN = textwrap.dedent(
    """
    import gc, sys
    from helpdesk import create_app

    folder, testing = sys.argv[1], sys.argv[2] == "testing"
    create_app({"SECRET_KEY": "x" * 32, "DATABASE_URL": f"sqlite:///{folder}/db",
                "INSTANCE_PATH": folder, "TESTING": testing})
    print(gc.get_freeze_count())
    """
)


@pytest.mark.parametrize("kind", ["served", "testing"])
def test_a_served_app_is_left_out_of_full_collections_and_a_tests_is_not(tmp_path, kind):
    """A web worker or job consumer freezes what building its app made; a test's app stays
    collectable (a test process builds hundreds)."""
    frozen = subprocess.run(
        [sys.executable, "-c", _FROZEN, str(tmp_path), kind],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if kind == "served":
        assert int(frozen) > 50_000, f"only {frozen.strip()} objects frozen"
    else:
        assert int(frozen) == 0
