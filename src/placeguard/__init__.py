"""PlaceGuard: protecting vulnerable targets against terrorist attacks."""

__version__ = "0.1.0"
