"""A web worker holds only what the pages it serves use (issue 19: each worker under 100 MB).

The libraries of the dashboard's PDF, of single sign-on and mail over OAuth2, of inbound
mail's HTML reader, of profile pictures and of the Excel export are imported where they are
used. A worker that signs people in and serves the lists, the case page and search never
loads them: together they held 40-50 MB of every worker. Nor does a worker load the client of
PostgreSQL or Redis when its configuration names neither (``helpdesk.memory.
leave_out_unused_clients``: 15 MB on the embedded default). The pages are served by the app as
``make bench`` serves it (``bench.wsgi``), in a process of its own, since this one has
imported everything the other tests needed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import seed as seeding
from helpdesk.testing import SECRET

ROOT = Path(__file__).resolve().parent.parent

#: Imported only by the requests that need them; none of them is needed by the pages below.
NEVER_LOADED = (
    "fpdf",  # the dashboard's PDF (with fontTools and Pillow)
    "fontTools",
    "PIL",  # profile pictures
    "authlib",  # single sign-on, mail over OAuth2
    "joserfc",
    "requests",
    "cryptography.fernet",  # stored client secrets
    "inscriptis",  # inbound mail's HTML as text
    "lxml",
    "openpyxl",  # the Excel exports
)

SERVE = r"""
import json, re, sys

from bench.wsgi import app

detail, customer, agent, password = sys.argv[1:5]


def signed_in(email):
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": email, "password": password}
    assert client.post("/sign-in", data=data).status_code == 302
    return client


as_customer, as_agent = signed_in(customer), signed_in(agent)
pages = [
    (as_customer, "/_bench/signed-in"),
    (as_customer, "/cases"),
    (as_customer, "/cases/" + detail),
    (as_agent, "/cases/" + detail),
    (as_agent, "/queue?view=all"),
    (as_agent, "/queue?view=all&q=drucker"),
]
statuses = [client.get(path).status_code for client, path in pages]
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print(json.dumps({"statuses": statuses, "modules": loaded}))
"""


def test_a_worker_serving_the_pages_never_loads_what_they_do_not_use(make_app, schema, tmp_path):
    with make_app().app_context():
        detail = seeding.seed(20)["detail_call_id"]
    env = dict(os.environ, HELPDESK_INSTANCE=str(tmp_path), DATABASE_URL=schema, SECRET_KEY=SECRET)
    arguments = [detail, seeding.CUSTOMER, seeding.AGENT, seeding.PASSWORD]
    served = subprocess.run(
        [sys.executable, "-c", SERVE, *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["statuses"] == [200] * 6
    modules = set(answer["modules"])
    assert "huey" in modules and "helpdesk.cases.views.detail" in modules  # the check sees
    loaded = [name for name in NEVER_LOADED if any(m.startswith(name) for m in modules)]
    assert loaded == []
    # This run's clients: psycopg on PostgreSQL, redis with REDIS_URL, neither on the default.
    clients = {"psycopg": schema.startswith("postgres"), "redis": bool(os.environ.get("REDIS_URL"))}
    assert {name: name in modules for name in clients} == clients
