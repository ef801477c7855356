"""A round-robin TCP proxy: each connection goes to the next backend that is up.

gunicorn's sync workers answer one request per connection, so connections are requests. A
backend that refuses (a killed server) is skipped; what was in flight on it breaks, as it
would behind any load balancer. Like a load balancer's health check, the proxy asks each
backend's ``/health`` every second (any HTTP answer within 2 s counts as up): a restarted
server whose master listens while its workers still load the app gets no requests until it
answers, instead of holding them in its listen queue (on a loaded CI machine, long enough
to pass the clients' timeout).

    python -m bench.cluster.proxy LISTEN_PORT BACKEND_PORT [BACKEND_PORT ...]
"""

import asyncio
import itertools
import sys

CHECK_EVERY = 1.0  # seconds
CHECK_TIMEOUT = 2.0


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _answers(port: int) -> bool:
    """Whether the backend answers ``GET /health`` with any HTTP status line in time."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), CHECK_TIMEOUT
        )
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), CHECK_TIMEOUT)
        return line.startswith(b"HTTP/")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()


async def _check(backends: list[int], up: set[int]) -> None:
    while True:
        answers = await asyncio.gather(*(_answers(port) for port in backends))
        for port, answered in zip(backends, answers, strict=True):
            (up.add if answered else up.discard)(port)
        await asyncio.sleep(CHECK_EVERY)


async def serve(port: int, backends: list[int]) -> None:
    turns = itertools.count()
    up = set(backends)
    checker = asyncio.create_task(_check(backends, up))

    async def handle(reader, writer):
        first = next(turns)
        order = [backends[(first + offset) % len(backends)] for offset in range(len(backends))]
        order = [p for p in order if p in up] + [p for p in order if p not in up]
        for port in order:
            try:
                upstream = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                up.discard(port)
                continue
            await asyncio.gather(_pipe(reader, upstream[1]), _pipe(upstream[0], writer))
            return
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()
    checker.cancel()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
