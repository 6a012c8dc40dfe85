"""Lesson 2, how MLOps teams operate: ``roles``, ``business_metrics`` and ``model_card``."""
