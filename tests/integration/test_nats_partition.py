"""Our partition of a site is NATS's own: a server with the subject mapping DESIGN.md names agrees."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from pathlib import Path

import nats
import pytest
from nats.aio.msg import Msg

from stockade.connectors.nats.mapping import partition_of, site_token, subject_in
from tests.integration.cluster_fixtures import free_port

pytestmark = pytest.mark.nats
PARTITIONS = 8


def test_partition_of_matches_the_servers_partition_mapping(tmp_path: Path) -> None:
    port = free_port()
    conf = tmp_path / "nats.conf"
    conf.write_text(f'port: {port}\nhost: "127.0.0.1"\nmappings = {{\n'
                    f'  "stk.in.*": "stk.part.{{{{partition({PARTITIONS},1)}}}}.{{{{wildcard(1)}}}}"\n}}\n')
    server = subprocess.Popen(["nats-server", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nats-server did not start"
                time.sleep(0.05)
        sites = [f"dc-{i}" for i in range(40)] + ["dc.paris.1", "acme:dc/7"]
        got = asyncio.run(_mapped(port, sites))
    finally:
        server.terminate()
        server.wait(10)
    assert got == {site_token(s): partition_of(s, PARTITIONS) for s in sites}


async def _mapped(port: int, sites: list[str]) -> dict[str, int]:
    nc = await nats.connect(f"nats://127.0.0.1:{port}")
    got: dict[str, int] = {}
    done = asyncio.Event()

    async def seen(msg: Msg) -> None:
        _, _, partition, token = msg.subject.split(".", 3)
        got[token] = int(partition)
        if len(got) == len(sites):
            done.set()

    await nc.subscribe("stk.part.>", cb=seen)
    for site in sites:
        await nc.publish(subject_in(site), b"")
    await asyncio.wait_for(done.wait(), 20)
    await nc.close()
    return got
