"""The site registry: vulnerable targets with type, location, capacity and time profile."""
