"""Insights: pure functions of the store and the graph that answer users' questions."""
