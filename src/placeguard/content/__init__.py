"""Data shipped with the product (question banks, catalogues, crosswalks), validated at load."""
