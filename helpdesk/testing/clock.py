"""The clock helper: time stands still where a test puts it (time-machine, without ticking).

Business-time rules (SLA targets, status timers, reminders) depend on "now"; a test moves
the clock to a known moment, acts, then moves it on and runs the jobs that look at the time.
"""

from datetime import UTC, datetime, timedelta

import time_machine


class Clock:
    """``at(moment)`` stops the time at ``moment``; ``advance(...)`` moves it on.

    Moments are ISO text or datetimes; a naive one is UTC, as the portal stores times.
    Both return the new time as naive UTC, comparable with stored values. Until ``at`` is
    called the real time runs.
    """

    def __init__(self):
        self._traveller = None
        self._coordinates = None

    def at(self, moment: str | datetime) -> datetime:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if self._traveller is None:
            self._traveller = time_machine.travel(moment, tick=False)
            self._coordinates = self._traveller.start()
        else:
            self._coordinates.move_to(moment)
        return self.now()

    def advance(self, delta: timedelta | None = None, **units) -> datetime:
        """Move on by ``delta`` or by ``timedelta(**units)`` (``advance(hours=2)``)."""
        if self._coordinates is None:
            raise RuntimeError("clock.at(...) first: the clock is not stopped yet")
        self._coordinates.shift(delta if delta is not None else timedelta(**units))
        return self.now()

    @staticmethod
    def now() -> datetime:
        """The current time as naive UTC."""
        return datetime.now(UTC).replace(tzinfo=None)

    def stop(self) -> None:
        """Let the real time run again."""
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = self._coordinates = None
