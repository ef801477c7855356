"""The job consumer's entry: ``huey_consumer helpdesk.worker.huey --worker-type process``.

Building the app loads every enabled plugin, so their tasks are registered before the
consumer starts taking jobs. The first heartbeat is queued at once so the health endpoint
turns green without waiting for the next full minute.

The consumer forks its workers (processes, not threads: the timer sweep's lanes, and any
two jobs, then run on two cores); huey closes its own queue connection before it forks, and
the database's pool is emptied here, so that no worker inherits a connection of this one.
"""

from helpdesk import create_app
from helpdesk.jobs import heartbeat

app = create_app()
huey = app.extensions["huey"]
heartbeat()
app.extensions["database"].close_all()
