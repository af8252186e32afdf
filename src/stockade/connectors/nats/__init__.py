"""NATS JetStream: the cluster's bus (DESIGN.md "Deployment shapes").

``config.py`` the cluster settings, ``mapping.py`` the pure subject, message id
and partition rules, ``link.py`` a NATS connection on its own event loop,
``leases.py`` partition ownership by lease in a KV bucket.
"""
