"""Explanations of a match: reasons and the phrases of shared hours."""
