"""The demo's mail catcher: an SMTP server that accepts every mail and keeps none.

``make run`` starts it (``MAIL_CATCHER=1``) and points the outbox at it, so mail "goes out"
and every sent mail can be read on the admins' outbox page, its links clickable: password
reset and registration work in the demo without a real mail server.

    python -m helpdesk.mail.catcher [HOST] [PORT]      (default 127.0.0.1 8025)
"""

import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink


def run(host: str = "127.0.0.1", port: int = 8025) -> None:
    # The handlers first: a stop asked for right after the line below still ends cleanly.
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    controller = Controller(Sink(), hostname=host, port=port)
    controller.start()
    print(f"mail catcher on {host}:{port} (read the mail at /admin/outbox)", flush=True)
    try:
        stopped.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    run(
        arguments[0] if arguments else "127.0.0.1",
        int(arguments[1]) if len(arguments) > 1 else 8025,
    )
