"""``stockade connectors status``: what a running node's connectors are doing (``GET /v1/connectors``)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Annotated

import httpx
import typer

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, fail, settings_for
from stockade.connectors.mqtt.commands import CommandSigner
from stockade.node.connectors import load_or_create_door_key

connectors_app = typer.Typer(help="The node's connectors: MQTT, Frigate, webhooks, SIEM export.",
                             no_args_is_help=True)
app.add_typer(connectors_app, name="connectors")


def _when(ts: object) -> str:
    if not isinstance(ts, int | float):
        return "never"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@connectors_app.command("status")
def status(
    url: Annotated[str | None, typer.Option(help="the node's API (default: host and port of stockade.toml)")] = None,
    key: Annotated[str | None, typer.Option(help="an API key with the read scope (or STOCKADE_API_KEY)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON")] = False,
) -> None:
    """Each connector's state, last message, lag and errors; the webhook outbox and its dead letters."""
    token = key or os.environ.get("STOCKADE_API_KEY")
    if not token:
        raise fail("give a read key with --key or STOCKADE_API_KEY (create one: stockade apikey create --scope read)")
    if url is None:
        s = settings_for(None)
        url = f"http://{s.host}:{s.port}"
    try:
        response = httpx.get(f"{url.rstrip('/')}/v1/connectors", headers={"Authorization": f"Bearer {token}"},
                             timeout=10)
    except httpx.HTTPError as e:
        raise fail(f"no node answers at {url} ({e}); start one with `stockade serve`") from e
    if response.status_code != 200:
        raise fail(f"{url} answered HTTP {response.status_code}: {response.text[:200]}")
    body = response.json()
    if as_json:
        console.print_json(json.dumps(body))
        return
    ports = body.get("ports", {})
    if ports:
        console.print("ports: " + ", ".join(f"{port} {by}" for port, by in ports.items()), highlight=False)
        if idle := [port for port, by in ports.items() if by == "unconfigured"]:
            console.print(f"[yellow]unconfigured[/]: {', '.join(idle)} (no connector setting configures "
                          "them; playbook steps using them fail and escalate)", highlight=False)
    if not body["connectors"]:
        console.print("No connector is configured (see docs/connectors.md).")
        return
    for c in body["connectors"]:
        console.print(f"[bold]{c['name']}[/] {c['state']}: last message {_when(c['last_message'])}; "
                      f"{c['received']:,} received, {c['accepted']:,} accepted, {c['refused']:,} refused, "
                      f"{c['errors']:,} errors; lag {c['lag_s']:.3f} s"
                      + (f"; last error: {c['last_error']}" if c["last_error"] else ""), highlight=False)
    for c in body["connectors"]:
        for reason, n in sorted(c["reasons"].items(), key=lambda kv: -kv[1])[:10]:
            console.print(f"  {c['name']}: {n} refused: {reason}")
    for d in body.get("dead_letters", []):
        console.print(f"[red]dead letter[/red] {d['id']} to {d['destination']} after {d['attempts']} "
                      f"attempts: {d['error']}")


@connectors_app.command("door-key")
def door_key(data_dir: DataDir = None) -> None:
    """The public key door controllers check signed commands with (raw Ed25519, hex) and its id."""
    settings = settings_for(data_dir)
    signer = CommandSigner(load_or_create_door_key(settings.data_dir / "keys"))
    console.print(f"key id {signer.key_id}\npublic key {signer.public_raw.hex()}", highlight=False)
