"""SIEM export: alerts, incidents and access decisions as OCSF (or CEF) over syslog or HTTP, with a durable cursor."""
