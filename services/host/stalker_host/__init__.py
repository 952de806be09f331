"""Composition root: the three services in one process (embedded), or a gateway and a supervisor in
front of them as separate processes (distributed). The only package allowed to import every service."""
