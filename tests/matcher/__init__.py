"""Tests of the pure matching domain (``matcher``)."""
