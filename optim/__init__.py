"""optim: every optimizer from the notes (being written)."""
