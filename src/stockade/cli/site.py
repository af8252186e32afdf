"""``stockade site load FILE`` and ``stockade site show SITE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stockade.cli.app import app
from stockade.cli.common import DataDir, console, fail, settings_for
from stockade.cli.errors import one_line
from stockade.site import SiteConfigError, load_site

site_app = typer.Typer(help="Load, validate and show site configurations.", no_args_is_help=True)
app.add_typer(site_app, name="site")


@site_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="site YAML file")],
    data_dir: DataDir = None,
) -> None:
    """Validate a site file and install it in the data directory (loaded by the node at start)."""
    try:
        site = load_site(file)
    except SiteConfigError as e:
        raise fail(f"invalid site file {one_line(e)}") from e
    target = settings_for(data_dir).data_dir / "sites" / f"{site.site}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    console.print(
        f"loaded site [bold]{site.site}[/bold] ({site.name}): {len(site.zones)} zones, "
        f"{len(site.doors)} doors, {len(site.people)} people -> {target}"
    )


@site_app.command("show")
def show(
    site_id: Annotated[str, typer.Argument(metavar="SITE", help="site id, or a site YAML file")],
    data_dir: DataDir = None,
) -> None:
    """Show a loaded site: zones, doors, devices, people by role."""
    sites = settings_for(data_dir).data_dir / "sites"
    path = Path(site_id) if site_id.endswith((".yaml", ".yml")) else sites / f"{site_id}.yaml"
    if not path.exists():
        raise fail(f"no site {site_id!r}: {path} does not exist; run `stockade site load FILE`")
    try:
        site = load_site(path)
    except SiteConfigError as e:
        raise fail(f"invalid site file {one_line(e)}") from e
    console.print(f"[bold]{site.site}[/bold] — {site.name} ({site.timezone})")
    zones = Table("zone", "kind", "flags", "doors", title="Zones")
    for z in site.zones:
        flags = ", ".join(f for f, on in (("public", z.public), ("exit", z.exit),
                                           ("armed outside hours", z.armed_outside_hours)) if on)
        doors = ", ".join(d.id for d in site.doors if z.id in d.zones)
        zones.add_row(z.id, z.kind, flags, doors)
    console.print(zones)
    devices = Table("kind", "count", title="Devices")
    for kind, n in (("doors", len(site.doors)), ("RFID readers", len(site.readers)),
                    ("cameras", len(site.cameras)), ("sensors", len(site.sensors)),
                    ("gates", len(site.gates))):
        devices.add_row(kind, str(n))
    console.print(devices)
    people = Table("role", "people", title="People by role")
    by_role: dict[str, int] = {}
    for p in site.people:
        by_role[p.role or f"({p.kind})"] = by_role.get(p.role or f"({p.kind})", 0) + 1
    for role, n in sorted(by_role.items()):
        people.add_row(role, str(n))
    console.print(people)
    console.print(
        f"{len(site.vendors)} vendors, {len(site.skus)} SKUs, {len(site.appointments)} appointments"
    )
