"""Pieces shared by every web app."""
