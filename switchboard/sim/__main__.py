# -*- test-case-name: tests.sim.test_loopback -*-
"""``python -m switchboard.sim``: the simulated PBX without the main CLI."""

import sys

from switchboard.sim.commands import main

sys.exit(main())
