"""The sandbox user templates run in.

On top of Jinja2's ImmutableSandboxedEnvironment (no private attributes, no Python internals, no
changing lists or dicts), every way a template could build a huge value is bounded: string and list
repetition, powers, `%` formatting, concatenation with `~`, `join` and `replace`; only a short list of
filters and string methods exists; `range` stops at MAX_RANGE; a render has a step budget and an output
ceiling; `include`, `import` and `extends` are refused. Any failure is a TemplateFailure with the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment

from stalker_versions.templates.budget import BudgetExceeded, run_with_budget

MAX_SOURCE = 20_000  # characters of one template
MAX_VALUE = 10_000  # length of any string or list a template builds
MAX_OUTPUT = 20_000  # characters one render may produce
MAX_RANGE = 1_000
MAX_INT_BITS = 256
MAX_FORMAT_WIDTH = 100
MAX_STEPS = 200_000
MAX_SECONDS = 1.0
TEMPLATE_NAME = "<template>"

_SAFE_STR_METHODS = frozenset(
    {
        *("lower", "upper", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip", "rstrip"),
        *("startswith", "endswith", "split", "rsplit", "splitlines", "count", "find", "rfind"),
        *("isdigit", "isalpha", "isalnum", "isupper", "islower", "partition", "rpartition"),
        *("removeprefix", "removesuffix"),
    }
)
_SAFE_FILTERS = frozenset(
    {
        *("abs", "capitalize", "count", "d", "default", "first", "float", "int", "last", "length", "list"),
        *("lower", "map", "max", "min", "reject", "rejectattr", "reverse", "round", "select", "selectattr"),
        *("sort", "string", "sum", "title", "trim", "truncate", "unique", "upper", "wordcount"),
    }
)
_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateFailure(Exception):
    """A template that cannot compile or render; `line` is the template's line when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


class LimitExceeded(Exception):
    """A value or output bigger than the sandbox allows."""


def _check_size(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_VALUE:
        raise LimitExceeded(f"the template builds a value longer than {MAX_VALUE}")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"the template builds a number larger than 2**{MAX_INT_BITS}")
    return value


def _check_format(spec: str) -> None:
    for width, precision in _FORMAT_SPEC.findall(spec):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_FORMAT_WIDTH):
                raise LimitExceeded(f"format widths are limited to {MAX_FORMAT_WIDTH}")


def _check_operands(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(count, int):
                _check_size_of_length(len(sequence) * max(count, 0))
        both_int = isinstance(left, int) and isinstance(right, int)
        if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"the template builds a number larger than 2**{MAX_INT_BITS}")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and right * abs(left).bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"the template builds a number larger than 2**{MAX_INT_BITS}")
    elif operator == "%" and isinstance(left, str):
        _check_format(left)


def _check_size_of_length(length: int) -> None:
    if length > MAX_VALUE:
        raise LimitExceeded(f"the template builds a value longer than {MAX_VALUE}")


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    _check_format(text)
    return str(_check_size(text % (kwargs or args)))


def _replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    _check_size_of_length(len(text) + (hits if count is None else min(hits, count)) * len(new))
    return text.replace(old, new, -1 if count is None else count)


def _join(value: Iterable[Any], separator: str = "", attribute: str | None = None) -> str:
    items = [str(getattr(v, attribute) if attribute else v) for v in value]
    _check_size_of_length(sum(map(len, items)) + len(separator) * max(len(items) - 1, 0))
    return str(separator).join(items)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(f"range() is limited to {MAX_RANGE} items")
    return numbers


class _BoundedCodeGenerator(CodeGenerator):
    """Routes `~` concatenation through the environment, which the stock sandbox cannot intercept."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class TemplateSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        self.filters = {name: FILTERS[name] for name in _SAFE_FILTERS}
        self.filters.update(format=_format, replace=_replace, join=_join)
        self.globals = {"range": _range, "dict": dict}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr not in _SAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        # str.format would take widths from the template unchecked; `|format` (bounded) replaces it.
        return None

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_operands(operator, left, right)
        return _check_size(self.binop_table[operator](left, right))

    def bounded_concat(self, parts: Iterable[Any]) -> str:
        texts = [str(part) for part in parts]
        _check_size_of_length(sum(map(len, texts)))
        return "".join(texts)


SANDBOX = TemplateSandbox()
_REFUSED_NODES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def _refuse_reaching_out(tree: nodes.Template) -> None:
    """Statically refuse private attribute access and template loading, with the line."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, *_REFUSED_NODES)):
        if isinstance(node, _REFUSED_NODES):
            raise TemplateFailure("templates may not extend, include or import other templates", node.lineno)
        name = (
            node.attr
            if isinstance(node, nodes.Getattr)
            else getattr(getattr(node, "arg", None), "value", None)
        )
        if isinstance(name, str) and name.startswith("_"):
            raise TemplateFailure(f"access to the private attribute {name!r} is not allowed", node.lineno)


@lru_cache(maxsize=512)
def compile_template(source: str) -> Template:
    """Parse, check and compile a template; TemplateFailure with the line when it cannot be used."""
    if len(source) > MAX_SOURCE:
        raise TemplateFailure(f"the template is longer than {MAX_SOURCE} characters")
    try:
        tree = SANDBOX.parse(source, name=TEMPLATE_NAME)
        _refuse_reaching_out(tree)
        return SANDBOX.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateFailure(exc.message or "syntax error", exc.lineno) from None


def render(template: Template, context: Mapping[str, Any]) -> str:
    """Render inside the step budget and the output ceiling; TemplateFailure with the line on error."""

    def produce() -> str:
        size, chunks = 0, []
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise LimitExceeded(f"the template renders more than {MAX_OUTPUT} characters")
            chunks.append(chunk)
        return "".join(chunks)

    try:
        return run_with_budget(produce, max_steps=MAX_STEPS, max_seconds=MAX_SECONDS)
    except (LimitExceeded, BudgetExceeded) as exc:
        raise TemplateFailure(str(exc), _template_line(exc)) from None
    except RecursionError:
        raise TemplateFailure("the template recurses too deeply") from None
    except Exception as exc:  # a user template can fail in any way; all of them are its author's to fix
        raise TemplateFailure(_reason(exc), _template_line(exc)) from None


def _reason(exc: Exception) -> str:
    message = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}" if type(exc).__module__ == "builtins" else message


def _template_line(exc: BaseException) -> int | None:
    """The template line of the innermost template frame (Jinja2 rewrites tracebacks to show them)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
