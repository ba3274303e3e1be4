"""Which OpenLineage outputs are model versions: URI patterns from ``[lineage] model_uris``.

A pattern is a URI with ``{model}`` and ``{version}`` (one path segment each), ``*`` (one
segment, or part of one) and ``**/`` (any number of whole segments). The defaults recognise a
model registry namespace, ``models://<registry>/…/<model>/<version>``, and MLflow's
``models:/<name>/<version>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

ModelOf = Callable[[str, str], "tuple[str, str] | None"]
_PART = re.compile(r"\{model\}|\{version\}|\*\*/|\*")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression of one pattern, matched against a whole URI."""
    regex, end = [], 0
    for match in _PART.finditer(pattern):
        regex.append(re.escape(pattern[end : match.start()]))
        token = match.group()
        regex.append({"{model}": "(?P<model>[^/]+)", "{version}": "(?P<version>[^/]+)",
                      "**/": "(?:[^/]+/)*", "*": "[^/]*"}[token])  # fmt: skip
        end = match.end()
    regex.append(re.escape(pattern[end:]))
    return re.compile("".join(regex) + "/?")


def model_matcher(patterns: Iterable[str]) -> ModelOf:
    """(namespace, name) of a data set → (model, version) when a pattern matches, else None.

    Both ``namespace/name`` and the name alone are tried, since a client may put the whole
    URI (``models:/income/2``) in the name.
    """
    compiled = [compile_pattern(p) for p in patterns]

    def model_of(namespace: str, name: str) -> tuple[str, str] | None:
        joined = f"{namespace.rstrip('/')}/{name.lstrip('/')}"
        for text in dict.fromkeys((joined, name)):
            for regex in compiled:
                found = regex.fullmatch(text)
                if found:
                    return found.group("model"), found.group("version")
        return None

    return model_of
