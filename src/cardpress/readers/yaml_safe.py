"""YAML from records (card.md front matter, dvc.yaml, dvc.lock, DVC metrics), within limits.

``yaml.safe_load`` builds an alias once and shares it, so a 1 KB "billion laughs" document loads
quickly, but every reader that then walks the values (line numbers, schema checks, JSON dumps)
expands it: gigabytes. Anchors and aliases are allowed (DVC files use them), but the document is
measured on its node graph first, each shared node once: more than ``MAX_YAML_NODES`` values
once expanded, or mappings and lists nested deeper than ``MAX_YAML_DEPTH``, is refused.
"""

from __future__ import annotations

from typing import Any

import yaml

from cardpress.readers.limits import MAX_YAML_DEPTH, MAX_YAML_NODES

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed


class YamlLimitError(ValueError):
    """A YAML document past a limit; ``line`` is 1-based within the YAML text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The values of the one YAML document in ``text`` and its node tree (for line numbers).

    Raises:
        yaml.YAMLError: the text is not YAML.
        YamlLimitError: the document is past a limit.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _measure(node, 1, {})
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
