# -*- test-case-name: tests.recorder.test_seat_recording -*-
"""The recorder as the seat sees it (:class:`~switchboard.seat.ports.RecordingControl`):
an agent starts, pauses or resumes the recording of their own answered call.

The seat checks the call is the agent's (:meth:`SeatRecording.agent_of`); this carries
the action out and turns the recorder's refusals into the seat's, whose codes map to HTTP
statuses. Pauses are logged with the agent's username as who asked.
"""

from __future__ import annotations

from switchboard.recorder.service import RecorderError, RecorderService
from switchboard.seat.ports import ErrorCode, SeatActionError

__all__ = ["SeatRecording"]

_CODES: dict[str, ErrorCode] = {
    "not_found": "not_found",
    "conflict": "conflict",
    "unavailable": "unavailable",
}


class SeatRecording:
    def __init__(self, recorder: RecorderService) -> None:
        self._recorder = recorder

    def agent_of(self, call_id: str) -> str | None:
        answer = self._recorder.book.live_answer(call_id)
        return answer[1] if answer is not None else None

    async def change(self, call_id: str, action: str, by: str) -> None:
        try:
            if action == "start":
                await self._recorder.start(call_id, by)
            elif self._recorder.book.linked_id_of(call_id) is None:
                raise RecorderError(
                    "conflict", f"call {call_id} is not being recorded: record it first"
                )
            elif action == "pause":
                await self._recorder.pause(call_id, by)
            else:
                await self._recorder.resume(call_id, by)
        except RecorderError as exc:
            raise SeatActionError(_CODES.get(exc.code, "unavailable"), exc.message) from exc
