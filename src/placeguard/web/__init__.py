"""The Django project: the only package that imports django or rest_framework."""
