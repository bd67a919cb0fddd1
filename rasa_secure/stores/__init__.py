"""Tracker store, event broker and logging wrappers that keep PII out of storage."""
