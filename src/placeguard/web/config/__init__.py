"""Settings, URL routing and the WSGI/ASGI entry points."""
