"""Stalker's shared package: contracts and plumbing that cross service boundaries."""
