"""The queue file (queues and agents, validated with errors naming the line) and the import
of an Asterisk ``queues.conf`` into it."""
