"""Webhooks out: the notifier and flow-control ports, signed per Standard Webhooks, through a durable outbox."""
