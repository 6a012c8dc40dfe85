"""Lesson 1, business challenges and risks of MLOps: ``risks`` and ``monitoring``."""
