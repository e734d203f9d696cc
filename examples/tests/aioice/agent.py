"""aioice on 127.0.0.1, driven over stdin/stdout JSON lines by examples/tests/ice_aioice.rs.

Out: {"ufrag", "pwd", "candidates"} after gathering, {"state": "connected", "selected": [...]}
after connect(), {"echoed": n} after echoing each datagram it receives. In: {"ufrag", "pwd",
"candidates"} once; then {"cmd": "close"} (or end of input) to stop.
"""
import asyncio
import json
import sys

import aioice
import aioice.ice


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def read_line():
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def main():
    controlling = sys.argv[1] == "controlling"
    # Loopback only: aioice skips 127.0.0.1 when it enumerates interfaces.
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    conn = aioice.Connection(ice_controlling=controlling, components=1, use_ipv6=False)
    await conn.gather_candidates()
    emit({
        "ufrag": conn.local_username,
        "pwd": conn.local_password,
        "candidates": ["candidate:" + c.to_sdp() for c in conn.local_candidates],
    })
    remote = json.loads(await read_line())
    conn.remote_username = remote["ufrag"]
    conn.remote_password = remote["pwd"]
    for line in remote["candidates"]:
        await conn.add_remote_candidate(aioice.Candidate.from_sdp(line.removeprefix("candidate:")))
    await conn.add_remote_candidate(None)
    await asyncio.wait_for(conn.connect(), 20)
    pair = conn._nominated.get(1)
    emit({
        "state": "connected",
        "selected": [f"{pair.local_addr[0]}:{pair.local_addr[1]}",
                     f"{pair.remote_addr[0]}:{pair.remote_addr[1]}"] if pair else None,
    })

    async def echo():
        n = 0
        while True:
            data = await conn.recv()
            await conn.send(b"echo:" + data)
            n += 1
            emit({"echoed": n})

    task = asyncio.ensure_future(echo())
    while True:
        line = await read_line()
        if not line or json.loads(line).get("cmd") == "close":
            break
    task.cancel()
    await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
