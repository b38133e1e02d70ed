# -*- test-case-name: tests.sim -*-
"""A simulated Asterisk 22 that speaks real AMI and FastAGI on loopback."""

__all__ = ["SimulatedPbx"]

from switchboard.sim.service import SimulatedPbx
