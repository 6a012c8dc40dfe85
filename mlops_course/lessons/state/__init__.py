"""Lesson 3, the state of MLOps today: ``maturity`` and ``reasons``."""
