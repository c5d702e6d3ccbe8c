"""The ``placeguard`` command line (Typer + Rich)."""
