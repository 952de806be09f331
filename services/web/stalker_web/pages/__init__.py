"""One router per page family; each page reads and writes through the services' public APIs."""
