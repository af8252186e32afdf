"""Site configuration (the YAML file), its calendar and its zone graph."""

from stockade.site.config import SiteConfig, load_site, parse_site
from stockade.site.errors import SiteConfigError
from stockade.site.topology import Topology

__all__ = ["SiteConfig", "SiteConfigError", "Topology", "load_site", "parse_site"]
