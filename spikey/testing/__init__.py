"""Conformance suites and helpers for testing parts and games."""
