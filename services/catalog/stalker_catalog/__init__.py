"""The catalog service: the studio, its people and its production tree."""
