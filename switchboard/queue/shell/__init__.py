"""The ACD's Twisted shell: the service that feeds the router and carries out its commands,
held callers' AGI sessions, the AMI link, agent control, the queue-file watcher and the
clock a compressed site (the demo) injects."""
