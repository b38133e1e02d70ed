"""The ACD's durable history: rows written from the router's facts, read back for reports."""
