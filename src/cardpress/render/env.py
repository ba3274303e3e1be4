"""The jinja2 environment: a project's own ``templates/`` first, then the default theme."""

from __future__ import annotations

import contextlib
import decimal
import json
import math
import os
import pickle
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.loaders import split_template_path
from markupsafe import Markup

from cardpress import __version__
from cardpress.errors import BuildError
from cardpress.readers.files import contained, outside_problem
from cardpress.render.fairness_fragment import fairness_report_html, overrides_report
from cardpress.xml_text import HTML_HIDDEN, shown


def default_templates_dir() -> Path:
    """The default theme: inside the installed wheel, or ``templates/`` of a source checkout."""
    packaged = Path(str(resources.files("cardpress"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


class ContainedLoader(jinja2.BaseLoader):
    """Templates from folders in order, each read only if it resolves inside its bounds.

    jinja2's FileSystemLoader follows symlinks anywhere: a ``templates/card.html`` linked to
    ``/etc/passwd`` would be rendered into the site. Here a template is resolved first and the
    resolved file is read, if it lies in its folder or one of ``bounds`` (the records folder and
    the allowed roots); otherwise the build stops (``validate`` names such links earlier).
    """

    def __init__(self, folders: list[Path], bounds: tuple[Path, ...] = ()) -> None:
        self.folders = folders
        self.bounds = bounds

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The template's text and resolved file name (a template is never reloaded)."""
        pieces = split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            real = contained_file(folder, path, self.bounds)
            if real.is_file():
                return real.read_text(encoding="utf-8"), str(real), lambda: True
        raise jinja2.TemplateNotFound(template)


def contained_file(folder: Path, path: Path, bounds: tuple[Path, ...]) -> Path:
    """``path`` (under ``folder``) resolved, if inside ``folder`` or ``bounds``.

    Raises:
        BuildError: it resolves elsewhere (a symlink out of the records folder).
    """
    real = contained(folder, path, bounds)
    if real is None:
        where = outside_problem(folder, path)
        raise BuildError(f"{path}: {where.problem} — {where.fix}")
    return real


# Compiled code depends on the environment's options too (a ``finalize`` is compiled into every
# output), not only on the template's text: a kept template compiled by another cardpress, Jinja
# or set of options is compiled again. Change the last part whenever make_env's options change.
COMPILED_WITH = f"cardpress {__version__}; jinja {jinja2.__version__}; options 2 (finalize)"


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier build, in Jinja's own per-user temporary folder.

    Compiling the theme's templates cost a cold build over half a second of every build's
    few seconds. Jinja keeps each template's compiled code under a key of its name and file
    and uses it only while the template's text has the checksum it was compiled from, in a
    folder only this user may write (``_jinja2-cache-<uid>`` in the temporary folder), so an
    edited template is compiled again. A kept file that cannot be read is compiled again and
    one that cannot be written is not kept: this folder only saves time.
    """

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key, salted with how the code was compiled (see :data:`COMPILED_WITH`)."""
        return super().get_cache_key(f"{COMPILED_WITH}\0{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:  # noqa: D102
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError, pickle.UnpicklingError):  # damaged
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:  # noqa: D102
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def compiled_templates() -> CompiledTemplates | None:
    """The compiled-template cache, or None where the temporary folder is not safe to use."""
    try:
        return CompiledTemplates()
    except (OSError, RuntimeError):  # e.g. another user owns the folder
        return None


def make_env(project_templates: Path | None, bounds: tuple[Path, ...] = ()) -> jinja2.Environment:
    """An autoescaping environment; a template in ``project_templates`` overrides the default.

    A template that resolves outside its folder and ``bounds`` (the records folder and the
    allowed roots, resolved) stops the build instead of being read.
    """
    folders = [project_templates] if project_templates and project_templates.is_dir() else []
    folders.append(default_templates_dir())
    env = jinja2.Environment(
        loader=ContainedLoader(folders, bounds),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build is one short process: checking every template file's mtime at each of
        # thousands of renders cost a third of a second on a large site.
        auto_reload=False,
        bytecode_cache=compiled_templates(),
        finalize=_shown,
    )
    env.filters["num"] = format_number
    env.filters["when"] = format_when
    env.filters["pct"] = format_share
    env.filters["count"] = format_count
    env.filters["signed"] = format_signed
    env.filters["pvalue"] = format_p_value
    env.filters["bytes"] = format_bytes
    env.filters["literal"] = format_literal
    env.filters["prefixed"] = prefixed
    env.globals["fairness_report"] = fairness_report_html(overrides_report(project_templates))
    env.filters["script_json"] = script_json
    return env


def _shown(value: Any) -> Any:
    """Every text a template writes, with characters that hide or reorder text made visible.

    Markup (sanitised Markdown, pre-drawn SVG) is written as it is: its text was made visible
    where it was made, and right-to-left prose keeps its own marks.
    """
    if isinstance(value, str) and not isinstance(value, Markup) and HTML_HIDDEN.search(value):
        return shown(value)
    return value


# The site's one number style (docs/site.md, "Numbers"); assets/format.js is its twin in the
# browser, and the browser tests hold the two to the same outputs.
DECIMALS = 4  # metrics, rates, ratios, statistics: always this many, so a column aligns
P_DECIMALS = 3  # p-values: 0.123, or "< 0.001" below the last place
# From here on a float cannot hold 4 decimals (the gap between neighbours is 0.125 at 1e15), and
# fixed notation grows to 309 digits: such magnitudes get an exponent written for people.
LARGE = 1e15
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: Any, decimals: int = DECIMALS) -> str:
    """A number for people, by its kind: a count (int) or a measured quantity (float).

    Counts get thousands separators (``12,345``). Every other number — a metric, rate, ratio,
    difference or statistic — gets exactly ``decimals`` decimals, trailing zeros kept, so the
    numbers of a column align on their decimal point (with ``td.num``'s tabular figures).
    No ``e`` notation: a value that is not zero but rounds to it is ``< 0.0001`` (or
    ``> -0.0001``), so it is neither shown as zero nor out of line; a magnitude of
    :data:`LARGE` or more (count or not) is its first digits, ``decimals`` after the point,
    times a power of ten (``1.7977 × 10³⁰⁸``); infinity is ``∞``; NaN and missing are
    "undefined".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if abs(value) >= LARGE:
        return _powered(value, decimals)
    if isinstance(value, int):
        return f"{value:,}"
    text = _fixed(value, decimals)
    if value != 0 and not text.strip("-0.,"):
        last_place = f"{10**-decimals:.{decimals}f}"
        return f"< {last_place}" if value > 0 else f"> -{last_place}"
    return text.removeprefix("-") if value == 0 else text


def format_signed(value: Any, decimals: int = DECIMALS) -> str:
    """A difference with its sign: ``+0.0123``, ``-0.0123``, ``0.0000``, ``< +0.0001``."""
    text = format_number(value, decimals)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return text.replace("< ", "< +") if text.startswith("<") else "+" + text
    return text


def format_count(value: Any, noun: str | None = None) -> str:
    """A count with thousands separators, its noun in the right number: ``1 row``, ``2 rows``.

    A whole float (a count read from JSON) is shown as the integer it is; a fractional one (a
    median or mean of counts) with one decimal.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = format_number(value, 1)
    if noun is None:
        return text
    return f"{text} {noun if value == 1 else noun + 's'}"


def format_p_value(value: Any) -> str:
    """A p-value in one notation site-wide: three decimals, or ``< 0.001`` below that."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if 0 <= value < 0.5 * 10**-P_DECIMALS:
        return "< 0.001"
    return format_number(float(value), P_DECIMALS)


def format_share(value: Any) -> str:
    """A share of rows as a percentage with one decimal (``12.3%``); rates stay decimals.

    Shares of the data (how much of it a group or a window holds, how much is labelled or
    missing) are percentages; rates that are metrics (selection rate, accuracy) are decimals
    like every other metric, so a rate and its ratio read in one style. A share below 0.05% but
    above 0 is ``<0.1%``, never 0.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    percent = float(value) * 100
    if 0 < percent < 0.05:
        return "<0.1%"
    return _fixed(percent, 1, grouped=False) + "%"


# Exact decimal rounding, half away from zero, of the float's exact binary value: what the
# browser's Number.prototype.toFixed does, so a page and compare.js agree to the last digit.
_EXACT = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_UP)


def _fixed(value: float, decimals: int, grouped: bool = True) -> str:
    if not _tie(value, decimals):
        # Python's fixed notation is correctly rounded from the exact binary value too; it
        # differs from half-up only at an exact tie (half to even), and is ~10x faster.
        return f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    step = decimal.Decimal(1).scaleb(-decimals)
    rounded = decimal.Decimal(value).quantize(step, context=_EXACT)
    return f"{rounded:,f}" if grouped else f"{rounded:f}"


def _powered(value: float, decimals: int) -> str:
    """``value`` as a mantissa of ``decimals`` decimals times a power of ten: ``1.7977 × 10³⁰⁸``.

    The mantissa is rounded exactly, half away from zero, as the browser's toExponential does.
    """
    exact = decimal.Decimal(value)
    exponent = exact.adjusted()
    step = decimal.Decimal(1).scaleb(-decimals)
    mantissa = exact.scaleb(-exponent, context=_EXACT).quantize(step, context=_EXACT)
    if abs(mantissa) >= 10:  # 9.99996 rounds up to 10.0000: one more power of ten
        exponent += 1
        mantissa = exact.scaleb(-exponent, context=_EXACT).quantize(step, context=_EXACT)
    return f"{mantissa:f} × 10{str(exponent).translate(SUPERSCRIPT)}"


def _tie(value: float, decimals: int) -> bool:
    """Whether ``value`` lies exactly halfway between two numbers of ``decimals`` decimals."""
    numerator, denominator = value.as_integer_ratio()  # the exact value; a power-of-two den.
    doubled = 2 * numerator * int(10**decimals)  # twice value × 10^decimals, as a fraction
    return doubled % denominator == 0 and (doubled // denominator) % 2 == 1


def format_when(value: Any) -> str:
    """A time for people, in one style site-wide: ``2026-06-03 09:30 UTC``.

    The page keeps the exact value in ``<time datetime=…>``; a date alone stays a date, and a
    value that is not an ISO time is shown as it is.
    """
    if not isinstance(value, str) or len(value) <= 10:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def prefixed(mapping: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The entries whose key starts with ``prefix``, with it removed (charts of a part page)."""
    return {k[len(prefix) :]: v for k, v in mapping.items() if k.startswith(prefix)}


def script_json(value: Any) -> Markup:
    """JSON safe inside a ``<script>`` element: every ``<`` escaped, so no tag can close it.

    Marked safe because a script element's text is not entity-decoded: escaping quotes as HTML
    would break the JSON, and with ``<`` escaped nothing in it can end the element.
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return Markup(text.replace("<", "\\u003c"))


def format_literal(value: Any) -> str:
    """A parameter value as written in the record: strings bare, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def format_bytes(value: int | None) -> str:
    """A size in bytes for people (binary units)."""
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{value} B"
