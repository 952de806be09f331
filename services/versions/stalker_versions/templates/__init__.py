"""User-supplied Jinja2 (filename templates, structures) compiled and rendered in a bounded sandbox."""

from stalker_versions.templates.sandbox import TemplateFailure, compile_template, render

__all__ = ["TemplateFailure", "compile_template", "render"]
