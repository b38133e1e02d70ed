"""Prompt sound files: the manifest's files, synthesised, checked on disk and on the PBX.

``files`` lists what the manifest says should exist; ``build`` renders it with espeak-ng and
sox (``switchboard prompts build``); ``inventory`` remembers which files the PBX lacks so
that they are never sent; ``asterisk`` asks Asterisk (AMI ``core show sound``) which exist.
"""

__all__: list[str] = []
