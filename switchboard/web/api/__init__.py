"""REST API v1 for supervisors, admins and other programs: agents, queues, calls,
customers (read), and the OpenAPI document generated from the same models.

:func:`add_rest_api` registers it on the web tier's klein app; :class:`RestBackends`
carries what it reads and drives (``switchboard.app`` builds it)."""

from switchboard.web.api.routes import RestBackends, add_rest_api

__all__ = ["RestBackends", "add_rest_api"]
