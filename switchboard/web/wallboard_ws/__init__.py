"""The wallboard's page and websocket in the web tier (``/wallboard``, ``/ws/wallboard``)."""
