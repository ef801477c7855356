"""Prepares the instance folder on first start: a config file with a random secret key.

Run as ``python -m helpdesk.instance [folder]`` by ``make run`` before the app is built,
because the app refuses to start without a real secret key.
"""

import secrets
import sys
from pathlib import Path

TEMPLATE = '''"""Settings of this installation. Environment variables override what is set here."""

SECRET_KEY = "{secret}"

# One vendor plugin from plugins/ (erp_handbook, erp_portal, property_software,
# crm_integrator, small_vendor) or from an installed package's "helpdesk" entry point.
HELPDESK_PLUGINS = ["{plugin}"]

# DATABASE_URL = "postgresql://helpdesk@127.0.0.1:5432/helpdesk"
# REDIS_URL = "redis://127.0.0.1:6379/0"
'''


def ensure(folder: Path, plugin: str = "erp_handbook") -> Path:
    """Create ``folder/config.py`` unless it exists; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.py"
    if not path.exists():
        path.write_text(TEMPLATE.format(secret=secrets.token_urlsafe(48), plugin=plugin))
        path.chmod(0o600)
    return path


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    print(ensure(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "instance"))
