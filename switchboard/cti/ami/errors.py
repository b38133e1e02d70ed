# -*- test-case-name: tests.protocol.test_ami_protocol -*-
"""Named failures of AMI actions and connections."""

from __future__ import annotations

from switchboard.cti.ami.frames import Message

__all__ = ["ActionTimeout", "AmiActionFailed", "AmiDisconnected", "AmiError", "AmiLoginFailed"]


class AmiError(Exception):
    """Base class of every AMI failure."""


class AmiActionFailed(AmiError):
    """Asterisk answered ``Response: Error``; ``response`` is the whole message."""

    def __init__(self, response: Message) -> None:
        self.response = response
        self.message = response.get("Message") or ""
        super().__init__(f"AMI action {response.action_id!r} failed: {self.message}")


class AmiLoginFailed(AmiError):
    """Login refused (``Authentication failed``, ``Asterisk is shutting down`` ...)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"AMI login failed: {reason}")


class ActionTimeout(AmiError):
    """No answer to an action within its timeout."""

    def __init__(self, action_name: str, action_id: str, timeout_s: float) -> None:
        self.action_name = action_name
        self.action_id = action_id
        self.timeout_s = timeout_s
        super().__init__(f"AMI {action_name} ({action_id}) got no answer in {timeout_s} s")


class AmiDisconnected(AmiError):
    """The AMI connection is down (or was lost before the action was answered)."""
