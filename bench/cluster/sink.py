"""The SMTP sink: accepts every mail and appends its Message-ID to a file, one a line.

Each recipient is answered after ``RCPT_DELAY`` seconds, so a delivery lasts long enough for
the cluster test to kill a consumer in the middle of it, mostly before the message is handed
over. Rarely the kill falls after the message's data and before the consumer marked its row
sent: the sink has recorded it, the row's lease runs out and it is sent again, which the
cluster test reports as a duplicate in the kill's window (``run.in_the_kill_window``).

    python -m bench.cluster.sink PORT LOG_FILE
"""

import asyncio
import signal
import sys
import threading
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller

RCPT_DELAY = 0.1


class Counter:
    def __init__(self, path: str):
        self.path = path

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(RCPT_DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message_id = BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]
        with open(self.path, "a") as log:
            log.write(f"{(message_id or '').strip()}\n")
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Counter(path), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
