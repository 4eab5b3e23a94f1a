"""Fuzz harnesses (atheris). Run: python -m fuzz.load --seconds 600."""
