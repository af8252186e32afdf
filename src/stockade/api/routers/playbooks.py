"""``GET /v1/playbooks`` (admin): the playbooks in force, and their directory validated now.

The list is the node's own set (:class:`stockade.response.playbook.PlaybookSet`,
reloaded when a file changes); ``validation`` is what ``stockade playbook
validate`` says of the directory at this moment (:func:`load_dir`): a file being
edited that does not load names its file, line and field, while the set in
force stays the last good one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from stockade.api.auth import require_scope
from stockade.api.deps import NodeDep
from stockade.api.encoding import JSONBytes, json_response
from stockade.api.problems import responses
from stockade.response.errors import PlaybookError
from stockade.response.playbook import Playbook, load_dir
from stockade.store import ApiKeyRecord

router = APIRouter(prefix="/v1", tags=["playbooks"])
AdminKey = Annotated[ApiKeyRecord, Depends(require_scope("admin"))]


def playbook_out(p: Playbook) -> dict[str, Any]:
    return {"playbook": p.playbook, "description": p.description, "escalate_to": p.escalate_to,
            "tasks": [t.id for t in p.tasks],
            "steps": [{"id": s.id, "do": s.do, "depends_on": list(s.depends_on),
                       "approval_by": list(getattr(s, "role", ()))} for s in p.steps]}


@router.get("/playbooks", summary="The playbooks in force, and their directory validated now",
            responses=responses(403))
async def playbooks(node: NodeDep, key: AdminKey) -> JSONBytes:
    loaded = node.response.playbooks
    validation: dict[str, Any]
    try:
        found = await run_in_threadpool(load_dir, loaded.directory)
        validation = {"ok": True, "count": len(found), "problem": None}
    except PlaybookError as e:
        validation = {"ok": False, "count": None, "problem": str(e)}
    reload_error = loaded.last_error
    return json_response({"directory": str(loaded.directory), "in_force": [playbook_out(p) for p in loaded.playbooks],
                          "reload_error": str(reload_error) if reload_error else None, "validation": validation})
