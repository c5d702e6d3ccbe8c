"""Loading the generated demo country through the ordinary services."""
