"""Chart templates built by Altair once, when cardpress is made, and shipped as JSON.

Each kind of chart is a Vega-Lite template that Altair builds and charts fill with their rows
(:mod:`cardpress.render.charts`). Importing Altair and building the templates took ~0.5 s of
every build that drew a fairness or card chart, for the same few specs each time; so the
templates are kept in ``chart_templates.json`` beside this module and a build reads them from
there. A template asked for with arguments not shipped is built by Altair, as before. A test
builds every shipped template again with Altair and compares; after changing a template's code,
write the file again with ``python -m cardpress.render.chart_templates``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from functools import cache, wraps
from importlib import resources
from typing import Any

FILE = "chart_templates.json"
Builder = Callable[..., str]
BUILDERS: dict[str, Builder] = {}  # template name -> the function that builds it with Altair
# The arguments each template is shipped with: every chart the site draws from a template.
SHIPPED: dict[str, list[tuple[Any, ...]]] = {
    "dots": [(intervals, title) for intervals in (False, True) for title in ("dataset", "series")],
    "group dots": [()],
    "reliability": [(False,), (True,)],
    "threshold": [(False,), (True,)],
    "regression error": [()],
    "regression residual": [()],
    "drift heat map": [()],
    "drift dataset": [()],
    "drift performance": [
        (regression, crosses) for regression in (False, True) for crosses in (False, True)
    ],
    "drift timeline": [()],
    "drift histogram": [(0,), (-45,)],
}


def shipped(name: str) -> Callable[[Builder], Builder]:
    """Decorator of a template builder: its result read from the shipped file when there."""

    def decorate(build: Builder) -> Builder:
        BUILDERS[name] = build
        signature = inspect.signature(build)

        @cache
        @wraps(build)
        def template(*args: Any, **kwargs: Any) -> str:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            kept = _templates().get(key(name, tuple(bound.arguments.values())))
            return kept if kept is not None else build(*args, **kwargs)

        return template

    return decorate


def key(name: str, args: tuple[Any, ...]) -> str:
    """A template's key in the shipped file: its name and arguments."""
    return json.dumps([name, *args])


@cache
def _templates() -> dict[str, str]:
    text = resources.files("cardpress.render").joinpath(FILE).read_text(encoding="utf-8")
    found = json.loads(text)
    return found if isinstance(found, dict) else {}


def built_now() -> dict[str, str]:
    """Every shipped template as Altair builds it now (imports the chart modules and Altair)."""
    from cardpress.render import charts  # noqa: F401  (each registers its builders)
    from cardpress.render.chart_templates import BUILDERS as builders  # not __main__'s
    from cardpress.render.drift import templates  # noqa: F401
    from cardpress.render.fairness import charts as fairness_charts  # noqa: F401
    from cardpress.render.fairness import regression_charts  # noqa: F401

    return {key(name, args): builders[name](*args) for name, cases in SHIPPED.items()
            for args in cases}  # fmt: skip


def main() -> None:
    """Write ``chart_templates.json`` again (run after changing a template's code)."""
    target = resources.files("cardpress.render").joinpath(FILE)
    text = json.dumps(built_now(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with resources.as_file(target) as path:
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
