"""switchboard: call-centre middleware for the Asterisk PBX, on Twisted."""

__version__ = "0.1.0"
__all__ = ["__version__"]
