-- One database per service: they share a server, never tables.
CREATE DATABASE stalker_catalog;
CREATE DATABASE stalker_versions;
CREATE DATABASE stalker_scheduler;
