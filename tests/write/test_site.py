from __future__ import annotations

from pathlib import Path

import pytest

from cardpress.errors import BuildError
from cardpress.render.plans import RenderedFile
from cardpress.write.manifest import is_cardpress_site, manifest_bytes
from cardpress.write.site import write_site


def _manifest(digests: dict[str, str]) -> bytes:
    return manifest_bytes(digests, {}, [], {"cardpress_version": "test"})


def _write(out: Path, *files: tuple[str, bytes]) -> int:
    rendered = [RenderedFile(p, c) for p, c in files]
    return write_site(rendered, out, force=False, manifest_for=_manifest)


@pytest.mark.parametrize(
    "path", ["../escape.html", "a/../../b.html", "/etc/passwd", "a//b.html", "./a.html"]
)
def test_paths_that_leave_the_site_are_refused_and_nothing_is_left(
    tmp_path: Path, path: str
) -> None:
    with pytest.raises(BuildError, match="would be written outside the site"):
        _write(tmp_path / "site", ("index.html", b"ok"), (path, b"bad"))
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_two_pages_on_one_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="two pages would be written here"):
        _write(tmp_path / "site", ("a/index.html", b"1"), ("a/index.html", b"2"))


def test_a_new_build_replaces_the_old_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert _write(out, ("old.html", b"old"), ("index.html", b"1")) == 4
    assert is_cardpress_site(out)
    _write(out, ("index.html", b"2"))
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "index.html", "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cardpress-staging-site", "site"]
    assert list((tmp_path / ".cardpress-staging-site").iterdir()) == []  # its files deleted


def test_the_last_sites_folders_are_reused_and_nothing_put_in_them_is_published(
    tmp_path: Path,
) -> None:
    out, kept = tmp_path / "site", tmp_path / ".cardpress-staging-site"
    _write(out, ("a/b/index.html", b"1"), ("c/index.html", b"1"))
    _write(out, ("a/b/index.html", b"2"), ("c/index.html", b"2"))
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*")) == ["a", "a/b", "c"]
    folder = (kept / "a" / "b").stat().st_ino
    (kept / "a" / "b" / "planted.html").write_text("not from the build")
    (kept / "c" / "link").symlink_to(tmp_path)
    (kept / "d").mkdir()
    _write(out, ("a/b/index.html", b"3"), ("e/index.html", b"3"))
    assert (out / "a" / "b").stat().st_ino == folder  # the same folder, written into again
    published = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert published == ["SHA256SUMS", "a", "a/b", "a/b/index.html", "e", "e/index.html",
                         "manifest.json"]  # fmt: skip
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*")) == ["a", "a/b", "c"]


def test_an_error_while_writing_keeps_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    _write(out, ("index.html", b"previous"))

    def pages():  # type: ignore[no-untyped-def]
        yield RenderedFile("index.html", b"new")
        raise RuntimeError("render failed half-way")

    with pytest.raises(RuntimeError):
        write_site(pages(), out, force=False, manifest_for=_manifest)
    assert (out / "index.html").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.write_text("x")
    with pytest.raises(BuildError, match="is a file, not a folder"):
        _write(target, ("index.html", b"1"))
    assert target.read_text() == "x"


def test_frozen_files_of_an_intact_site_are_linked_and_a_missing_one_still_refused(
    tmp_path: Path,
) -> None:
    from cardpress.write.manifest import sha256_bytes

    out = tmp_path / "site"
    _write(out, ("v/1/index.html", b"one"), ("v/2/index.html", b"two"))
    frozen = {f"v/{n}/index.html": sha256_bytes(text) for n, text in [(1, b"one"), (2, b"two")]}
    first = (out / "v/1/index.html").stat().st_ino
    rendered = [RenderedFile("index.html", b"home")]
    write_site(rendered, out, force=False, manifest_for=_manifest, frozen=frozen, intact=True)
    assert (out / "v/1/index.html").stat().st_ino == first  # the same file, linked
    assert (out / "v/2/index.html").read_bytes() == b"two"
    (out / "v/2/index.html").unlink()  # gone after the site was judged intact
    with pytest.raises(BuildError, match="is missing since it was published"):
        write_site(rendered, out, force=False, manifest_for=_manifest, frozen=frozen, intact=True)
    assert (out / "v/1/index.html").read_bytes() == b"one"  # the previous site stays
