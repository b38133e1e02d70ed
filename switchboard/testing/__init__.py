"""Public test kit: fakes, capture replay and clock helpers for switchboard and its users."""
