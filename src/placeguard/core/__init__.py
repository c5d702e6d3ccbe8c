"""Django-free basics shared by every layer: errors, vocabulary, time profiles."""
