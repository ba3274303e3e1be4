"""YAML from records (card.md front matter, dvc.yaml, dvc.lock, DVC metrics), within limits.

``yaml.safe_load`` builds an alias once and shares it, so a 1 KB "billion laughs" document loads
quickly, but every reader that then walks the values (line numbers, schema checks, JSON dumps)
expands it: gigabytes. Anchors and aliases are allowed (DVC files use them), but the document is
measured on its node graph first, each shared node once: more than ``MAX_YAML_NODES`` values
once expanded, or mappings and lists nested deeper than ``MAX_YAML_DEPTH``, is refused.

Two things YAML readers do silently are refused too, each named with its line: a key given twice
in one mapping (PyYAML keeps the last, other readers the first or an error), and a value that
reads as a date but is not a real one (``2026-02-30``: constructing it raised ``ValueError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from cardpress.readers.limits import MAX_YAML_DEPTH, MAX_YAML_NODES

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"  # ``<<: *base`` may be given more than once


class _TextDatesLoader(_Loader):  # type: ignore[misc]
    """Dates and times stay the text they were written as (``str(datetime)`` rewrites them)."""


_TextDatesLoader.add_constructor(_TIMESTAMP, lambda loader, node: loader.construct_scalar(node))


class YamlLimitError(ValueError):
    """A YAML document past a limit; ``line`` is 1-based within the YAML text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class YamlFault:
    """A key given twice (``first``: the line of the first) or a date that is no real date.

    Lines are 1-based within the YAML text; ``path`` leads to the key or value at fault.
    """

    line: int
    path: tuple[str | int, ...]
    value: str
    first: int | None = None  # set for a key given twice


class YamlValueError(yaml.YAMLError):
    """Keys given twice or dates that are not real dates, every one of them in ``faults``."""

    def __init__(self, faults: list[YamlFault]) -> None:
        super().__init__("; ".join(_describe(fault) for fault in faults))
        self.faults = faults


def _describe(fault: YamlFault) -> str:
    if fault.first is not None:
        return f"line {fault.line}: key {fault.value!r} appears twice (first on line {fault.first})"
    return f"line {fault.line}: {fault.value} reads as a date but is not a real date"


def load_yaml(text: str, dates_as_text: bool = False) -> tuple[Any, yaml.Node | None]:
    """The values of the one YAML document in ``text`` and its node tree (for line numbers).

    ``dates_as_text``: dates and times are kept as the text written (for documents whose values
    are all text, such as card.md's front matter), not made ``date``/``datetime`` objects.

    Raises:
        yaml.YAMLError: the text is not YAML.
        YamlLimitError: the document is past a limit.
        YamlValueError: a key is given twice in a mapping, or a date is not a real date.
    """
    loader = (_TextDatesLoader if dates_as_text else _Loader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _measure(node, 1, {})
        faults = _faults(loader, node, (), set())
        if faults:
            raise YamlValueError(faults)
        return loader.construct_document(node), node
    except RecursionError:  # the parser recurses per level, before any node can be measured
        raise YamlLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels", 1) from None
    finally:
        loader.dispose()


def _measure(node: yaml.Node, depth: int, sizes: dict[int, int]) -> int:
    """Values under ``node`` with aliases expanded; each shared node is measured once."""
    if id(node) in sizes:
        return sizes[id(node)]
    line = node.start_mark.line + 1
    if depth > MAX_YAML_DEPTH:  # also stops an alias that refers to its own ancestor
        raise YamlLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels", line)
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _measure(key, depth + 1, sizes) + _measure(value, depth + 1, sizes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _measure(item, depth + 1, sizes)
    if size > MAX_YAML_NODES:
        problem = f"holds more than {MAX_YAML_NODES:,} values once its aliases are expanded"
        raise YamlLimitError(problem, line)
    sizes[id(node)] = size
    return size


def _faults(
    loader: Any, node: yaml.Node, path: tuple[str | int, ...], seen: set[int]
) -> list[YamlFault]:
    """Keys given twice and dates that are not real dates under ``node``, in document order.

    Each shared (aliased) node is visited once; :func:`_measure` has bounded the depth.
    """
    if id(node) in seen:
        return []
    seen.add(id(node))
    faults = []
    if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP:
        try:
            loader.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # 2026-02-30, 2026-13-45: the pattern, not a date
            faults.append(YamlFault(node.start_mark.line + 1, path, str(node.value)))
    elif isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE:
                name = str(key.value)
                if name in first:
                    faults.append(YamlFault(line, (*path, name), name, first[name]))
                first.setdefault(name, line)
            inner = (*path, str(key.value)) if isinstance(key, yaml.ScalarNode) else path
            faults += _faults(loader, value, inner, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            faults += _faults(loader, item, (*path, index), seen)
    return faults
