"""Who may use the web tier: users with a role (agent, supervisor, admin), each perhaps
sitting as one ACD/app_queue agent; their argon2id password hashes; their sessions."""

__all__ = ["Role", "User"]

from switchboard.accounts.model import Role, User
