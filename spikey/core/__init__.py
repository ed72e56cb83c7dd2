"""Training loops and callbacks."""
