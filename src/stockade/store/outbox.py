"""The webhook outbox and the export cursors, in SQL both stores share (they differ in placeholders).

A store mixes in :class:`OutboxTables` and provides ``_run(sql, params)``
(rows and rowcount, under its own lock); see ``connectors/webhook/outbox.py`` for
the contract (only the oldest pending message of each destination is due) and
``connectors/siem`` for the cursors (the last sequence number each destination
has taken, per site).
"""

from __future__ import annotations

from collections.abc import Sequence

from stockade.connectors.webhook.outbox import OutboxEntry, OutboxStatus

# the SELECTs below read, in this order: msg_id, destination, body, created_us, status, attempts, next_us,
# last_error, ord (what _entry unpacks); each writes them out, no SQL text is built at run time


def _entry(row: Sequence[object]) -> OutboxEntry:
    msg_id, dest, body, created, status, attempts, next_us, error, order = row
    return OutboxEntry(str(msg_id), str(dest), bytes(body) if isinstance(body, bytes | memoryview) else b"",
                       int(str(created)), str(status), int(str(attempts)), int(str(next_us)),  # type: ignore[arg-type]  # status is one of the three: the store writes only those
                       str(error), int(str(order)))


class OutboxTables:
    _mark = "?"

    def _run(self, sql: str, params: Sequence[object] = ()) -> tuple[list[tuple[object, ...]], int]:
        raise NotImplementedError

    def _q(self, sql: str) -> str:
        return sql.replace("?", self._mark)

    def outbox_add(self, entry: OutboxEntry) -> bool:
        _, count = self._run(self._q(
            "INSERT INTO outbox (msg_id, destination, body, created_us, status, attempts, next_us, last_error) "
            "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (msg_id) DO NOTHING"),
            (entry.msg_id, entry.destination, entry.body, entry.created_us, "pending", 0, entry.created_us, ""))
        return count > 0

    def outbox_due(self, now_us: int) -> list[OutboxEntry]:
        rows, _ = self._run(self._q(
            "SELECT o.msg_id, o.destination, o.body, o.created_us, o.status, o.attempts, o.next_us, o.last_error, "
            "o.ord FROM outbox o JOIN "
            "(SELECT destination, MIN(ord) AS head FROM outbox WHERE status = 'pending' GROUP BY destination) h "
            "ON o.ord = h.head WHERE o.next_us <= ? ORDER BY o.ord"), (now_us,))
        return [_entry(r) for r in rows]

    def outbox_update(self, msg_id: str, status: OutboxStatus, attempts: int, next_us: int, error: str) -> None:
        self._run(self._q("UPDATE outbox SET status=?, attempts=?, next_us=?, last_error=? WHERE msg_id=?"),
                  (status, attempts, next_us, error, msg_id))

    def outbox_list(self, status: OutboxStatus, limit: int = 100) -> list[OutboxEntry]:
        rows, _ = self._run(self._q(
            "SELECT msg_id, destination, body, created_us, status, attempts, next_us, last_error, ord "
            "FROM outbox WHERE status=? ORDER BY ord LIMIT ?"),
                            (status, limit))
        return [_entry(r) for r in rows]

    def outbox_counts(self) -> dict[tuple[str, str], int]:
        rows, _ = self._run("SELECT destination, status, COUNT(*) FROM outbox GROUP BY destination, status")
        return {(str(d), str(s)): int(str(n)) for d, s, n in rows}

    # --- export cursors (SIEM) ---------------------------------------------------

    def cursor_get(self, destination: str, site: str) -> int:
        rows, _ = self._run(self._q("SELECT seq FROM export_cursors WHERE destination=? AND site=?"),
                            (destination, site))
        return int(str(rows[0][0])) if rows else 0

    def cursor_set(self, destination: str, site: str, seq: int) -> None:
        self._run(self._q("INSERT INTO export_cursors VALUES (?,?,?) ON CONFLICT (destination, site) "
                          "DO UPDATE SET seq = EXCLUDED.seq"), (destination, site, seq))
