"""The job consumer's entry: ``huey_consumer helpdesk.worker.huey``.

Building the app loads every enabled plugin, so their tasks are registered before the
consumer starts taking jobs. The first heartbeat is queued at once so the health endpoint
turns green without waiting for the next full minute.
"""

from helpdesk import create_app
from helpdesk.jobs import heartbeat

app = create_app()
huey = app.extensions["huey"]
heartbeat()
