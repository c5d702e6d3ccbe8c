"""Tests of the pure sharing policy (research/info-sharing.md §8–9)."""
