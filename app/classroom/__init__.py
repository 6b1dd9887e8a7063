"""Follow mode: one presenter, any number of followers, kept on the same slide, step and run over loopback."""
