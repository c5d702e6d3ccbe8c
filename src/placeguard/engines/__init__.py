"""Pure, deterministic computation. No I/O, no settings, no Django; randomness is explicit."""
