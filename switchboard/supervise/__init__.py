"""Supervisor actions: listen, whisper and barge (:mod:`.monitor`), and their log
(:mod:`.records`). Forcing an agent not ready or logged out is the agent control the
REST API already offers (``POST /api/v1/agents/{id}/pause|logout``)."""
