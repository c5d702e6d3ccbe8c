"""Computation on registry data (sites, time profiles) that later engines build on."""
