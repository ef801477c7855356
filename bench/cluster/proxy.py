"""A round-robin TCP proxy: each connection goes to the next backend that accepts it.

gunicorn's sync workers answer one request per connection, so connections are requests. A
backend that refuses (a killed server) is skipped; what was in flight on it breaks, as it
would behind any load balancer.

    python -m bench.cluster.proxy LISTEN_PORT BACKEND_PORT [BACKEND_PORT ...]
"""

import asyncio
import itertools
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def serve(port: int, backends: list[int]) -> None:
    turns = itertools.count()

    async def handle(reader, writer):
        first = next(turns)
        for offset in range(len(backends)):
            try:
                port = backends[(first + offset) % len(backends)]
                upstream = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            await asyncio.gather(_pipe(reader, upstream[1]), _pipe(upstream[0], writer))
            return
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
