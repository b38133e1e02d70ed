"""The control endpoint: loopback HTTP + JSON on ``switchboard serve``, and its client.

``/api/v1/agents`` today (``switchboard agents ...``); the seed of the REST API.
"""

from switchboard.control.client import ControlClient, ControlClientError
from switchboard.control.service import ControlService

__all__ = ["ControlClient", "ControlClientError", "ControlService"]
