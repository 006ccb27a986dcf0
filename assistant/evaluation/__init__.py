"""Evaluation harnesses: retrieval, answers and the eligibility check, run by ``python -m assistant eval``."""
