"""One module per group of routes; the client assembles them."""
