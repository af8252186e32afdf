"""An incident's evidence bundle downloaded from the page, fetched from the API with the signed-in key."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from stockade.web.client import ApiError
from stockade.web.deps import SessionDep, WebDep

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/incidents/{site}/{incident_id}/evidence/{name}")
async def download(web: WebDep, session: SessionDep, site: str, incident_id: str, name: str) -> Response:
    data = await web.api.raw(session.token, f"/v1/incidents/{site}/{incident_id}/evidence/{name}")
    if data is None:
        raise ApiError(404, f"no evidence bundle {name!r} for incident {incident_id!r}")
    return Response(data, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
