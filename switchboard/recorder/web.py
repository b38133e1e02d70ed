# -*- test-case-name: tests.recorder.test_playback -*-
"""The recordings' routes on the web tier: ``GET /recordings/<id>/audio`` (the file, with
HTTP Range requests so a player can seek; ``?download=1`` for an attachment) and
``GET /api/v1/recordings`` (the search, narrowed to what the user may hear), and
``POST /api/v1/recordings/calls/<call_id>/pause|resume`` (sensitive input: the call's
agent or a supervisor of its queue; logged with who).

The bytes, ranges included, are served by twisted.web's ``static.File``, after the access
check and the audit row (:mod:`switchboard.recorder.playback`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from klein import Klein
from twisted.web.server import Request
from twisted.web.static import File

from switchboard.recorder.playback import Denied, RecordingPlayback, scope
from switchboard.recorder.search import RecordingQuery, search
from switchboard.web.gate import Gate, Refusal, arg, json_route, send_json

__all__ = ["add_recording_routes"]

# A refusal's status: not allowed; no such file; a format no browser plays (download it);
# sox missing on the server.
DENIED_STATUS = {"forbidden": 403, "not_found": 404, "unplayable": 415, "unavailable": 503}


def add_recording_routes(app: Klein, gate: Gate, playback: RecordingPlayback | None) -> None:
    def served() -> RecordingPlayback:
        if playback is None:
            raise Refusal("unavailable", "the recorder is not running in this process")
        return playback

    @app.route("/recordings/<int:recording_id>/audio", methods=["GET"])
    async def recording_audio(request: Request, recording_id: int) -> Any:
        info = await gate.session(request)
        if info is None:
            return send_json(request, 401, _error("unauthenticated", "log in first"))
        try:
            playable = await served().open(
                info.user,
                recording_id,
                remote=_remote(request),
                byte_range=(request.getHeader("range") or "")[:64],
                download=arg(request, "download") == "1",
            )
        except Denied as denied:
            status = DENIED_STATUS.get(denied.code, 404)
            return send_json(request, status, _error(denied.code, denied.message))
        except Refusal as refusal:
            return send_json(request, 503, _error(refusal.code, refusal.message))
        if arg(request, "download") == "1":
            disposition = f'attachment; filename="{playable.download_name}"'
            request.setHeader("content-disposition", disposition)
        request.setHeader("cache-control", "private, no-store")
        audio = File(str(playable.path), defaultType=playable.content_type)
        audio.contentTypes = {}  # the type is the index's format, not a guess from the name
        return audio

    for verb, paused in (("pause", True), ("resume", False)):

        async def set_paused(request: Request, call_id: str, paused: bool = paused) -> Any:
            user = (await gate.api_session(request)).user  # a POST: the CSRF token too
            try:
                await served().set_paused(user, call_id, paused)
            except Denied as denied:
                raise Refusal(denied.code, denied.message) from None
            return {"call_id": call_id, "paused": paused}

        app.route(
            f"/api/v1/recordings/calls/<call_id>/{verb}",
            methods=["POST"],
            endpoint=f"recording_{verb}",
        )(json_route(set_paused))

    @app.route("/api/v1/recordings", methods=["GET"])
    @json_route
    async def recordings_search(request: Request) -> Any:
        user = (await gate.api_session(request)).user
        wanted = _query(request)
        narrowed = scope(user, wanted, agent_may_play=served().agent_may_play)
        if narrowed is None:
            raise Refusal("forbidden", f"{user.username} may not search recordings")
        page = await served().database.run(lambda session: search(session, narrowed))
        rows = [{k: v for k, v in row.items() if k != "path"} for row in page.rows]
        return {
            "total": page.total,
            "more": page.more,  # more than total match (counted up to a bound)
            "page": page.page,
            "per_page": page.per_page,
            "recordings": rows,
        }


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": None}}


def _remote(request: Request) -> str:
    peer = request.getClientAddress()
    return str(getattr(peer, "host", peer))


def _query(request: Request) -> RecordingQuery:
    def number(name: str, kind: type[Any], default: Any = None) -> Any:
        text = arg(request, name)
        if not text:
            return default
        try:
            return kind(text)
        except ValueError:
            raise Refusal("bad_request", f"{name} must be a number, not {text!r}", name) from None

    def moment(name: str) -> datetime | None:
        text = arg(request, name)
        if not text:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise Refusal("bad_request", f"{name}: an ISO date such as 2026-11-24", name) from None

    query = RecordingQuery(
        since=moment("from"),
        until=moment("to"),
        caller=arg(request, "caller") or None,
        customer=arg(request, "customer") or None,
        agent=arg(request, "agent") or None,
        queue=arg(request, "queue") or None,
        disposition=arg(request, "disposition") or None,
        ticket=arg(request, "ticket") or None,
        min_duration_s=number("min_duration", float),
        max_duration_s=number("max_duration", float),
        status=arg(request, "status") or None,
        page=number("page", int, 1),
        per_page=number("per_page", int, 50),
    )
    if problems := query.problems():
        raise Refusal("bad_request", "; ".join(problems))
    return query
