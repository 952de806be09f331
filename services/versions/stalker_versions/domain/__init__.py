"""Pure rules of the versions service: names, repository paths, template contexts, version paths."""
