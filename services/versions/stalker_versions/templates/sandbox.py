"""The sandbox user templates run in.

On top of Jinja2's ImmutableSandboxedEnvironment (no private attributes, no Python internals, no
changing lists or dicts), every value a template builds is measured before it is built (limits.py):
operators, `~`, literals, filters, method and macro calls, and each `{{ ... }}` written out; only a
short list of filters and string methods exists; `range` stops at MAX_RANGE; all the text a render
writes (macro bodies and blocks included) and its output have ceilings; a render has a step and time
budget (budget.py); `include`, `import` and `extends` are refused. Any failure is a TemplateFailure
with the line. Renders are run off the event loop by offload.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, wraps
from typing import Any, TypeVar

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment

from stalker_versions.templates.budget import BudgetExceeded, run_with_budget
from stalker_versions.templates.limits import (
    LimitExceeded,
    bounded_format,
    bounded_join,
    bounded_range,
    bounded_replace,
    check_bounded,
    check_operands,
    check_size,
    concat_texts,
    printed_size,
)

MAX_SOURCE = 20_000  # characters of one template
MAX_OUTPUT = 20_000  # characters one render may produce
MAX_EMITTED = 100_000  # characters a render may write in all, macro bodies and blocks included
MAX_STEPS = 200_000
MAX_SECONDS = 1.0
# What a render may take in a thread of the API's process; one that needs more is run again in a worker
# process (offload.py). Real filename templates take a few hundred steps.
FIRST_STEPS = 20_000
FIRST_SECONDS = 0.05
TEMPLATE_NAME = "<template>"
T = TypeVar("T")

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


class TemplateFailure(Exception):
    """A template that cannot compile or render; `line` is the template's line when known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


class _BoundedCodeGenerator(CodeGenerator):
    """Routes what the stock sandbox cannot intercept through the environment: `~` concatenation, list,
    tuple and dict literals, and the template's own text as it is written out."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._bounded(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._bounded(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx == "load":  # not the targets of `for a, b in ...` or `set a, b = ...`
            self._bounded(super().visit_Tuple, node, frame)
        else:
            super().visit_Tuple(node, frame)

    def _bounded(self, visit: Callable[[Any, Frame], None], node: nodes.Node, frame: Frame) -> None:
        self.write("environment.bounded_value(")
        visit(node, frame)
        self.write(")")

    def _output_const_repr(self, group: Iterable[Any]) -> str:
        return f"environment.emit({super()._output_const_repr(group)})"


class _Render(threading.local):
    """What the render running in this thread has written so far (None outside a render)."""

    emitted: int | None = None


_RENDER = _Render()


def _count(length: int) -> None:
    if _RENDER.emitted is None:  # a constant finalized while compiling
        return
    _RENDER.emitted += length
    if _RENDER.emitted > MAX_EMITTED:
        raise LimitExceeded(f"the template writes more than {MAX_EMITTED} characters in all")


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)  # keeps Jinja2's pass_context / pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        return check_bounded(function(*args, **kwargs))

    return bounded


class TemplateSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+", "-", "/", "//"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=self.output
        )
        filters = {name: FILTERS[name] for name in _SAFE_FILTERS}
        filters.update(format=bounded_format, replace=bounded_replace, join=bounded_join)
        self.filters = {name: _bounded_filter(function) for name, function in filters.items()}
        self.globals = {"range": bounded_range, "dict": dict}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr not in _SAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        # str.format would take widths from the template unchecked; `|format` (bounded) replaces it.
        return None

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_operands(operator, left, right)
        return check_size(self.binop_table[operator](left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Methods, globals, macros and `caller()`: whatever a call returns is measured.
        return check_bounded(super().call(__context, __obj, *args, **kwargs))

    def bounded_concat(self, parts: Iterable[Any]) -> str:
        return concat_texts(parts)

    def bounded_value(self, value: Any) -> Any:
        return check_size(value)

    def emit(self, text: str) -> str:
        _count(len(text))
        return text

    def output(self, value: Any) -> Any:
        """Each `{{ ... }}` before it is printed, wherever it is written (top level, macro, block)."""
        _count(printed_size(check_size(value)))
        return value


class NeedsMoreTime(Exception):
    """A render past the small first budget (`first_budget`): it is to be run again with the full one."""


class _First(threading.local):
    budget: tuple[int, float] | None = None


_FIRST = _First()


def first_budget(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` with every render in it held to FIRST_STEPS and FIRST_SECONDS: a render that needs
    more raises NeedsMoreTime instead of failing (offload.py then runs it in a worker process)."""
    _FIRST.budget = (FIRST_STEPS, FIRST_SECONDS)
    try:
        return work(*args)
    finally:
        _FIRST.budget = None


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
    except (RecursionError, SyntaxError, MemoryError):
        # Brackets, blocks or filters nested hundreds deep overflow the parser or Python's compiler.
        raise TemplateFailure("the template nests expressions or blocks too deeply") from None


def render(template: Template, context: Mapping[str, Any]) -> str:
    """Render inside the step budget and the output ceiling; TemplateFailure with the line on error."""

    def produce() -> str:
        size, chunks = 0, []
        _RENDER.emitted = 0
        try:
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise LimitExceeded(f"the template renders more than {MAX_OUTPUT} characters")
                chunks.append(chunk)
        finally:
            _RENDER.emitted = None
        return "".join(chunks)

    first = _FIRST.budget
    steps, seconds = first or (MAX_STEPS, MAX_SECONDS)
    try:
        return run_with_budget(produce, max_steps=steps, max_seconds=seconds)
    except BudgetExceeded as exc:
        if first is not None:
            raise NeedsMoreTime from None
        raise TemplateFailure(str(exc), _template_line(exc)) from None
    except LimitExceeded as exc:
        raise TemplateFailure(str(exc), _template_line(exc)) from None
    except RecursionError:
        raise TemplateFailure("the template recurses too deeply") from None
    except MemoryError:
        raise TemplateFailure("the template needs too much memory") from None
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
