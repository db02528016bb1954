"""Quantitative indicators (学社衔接率, 团青比 …)."""
