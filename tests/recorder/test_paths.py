from pathlib import Path

from switchboard.recorder.paths import PathMap, inside


def test_the_longest_asterisk_prefix_maps_to_its_local_folder(tmp_path: Path) -> None:
    paths = PathMap({"/var/spool": tmp_path / "all", "/var/spool/asterisk/monitor": tmp_path / "m"})
    assert paths.local("/var/spool/asterisk/monitor/q/a.wav") == tmp_path / "m" / "q" / "a.wav"
    assert paths.local("/var/spool/other/b.wav") == tmp_path / "all" / "other" / "b.wav"
    assert paths.local("/elsewhere/c.wav") == Path("/elsewhere/c.wav")
    # a prefix is a whole folder name, not the start of one
    assert paths.local("/var/spoolish/d.wav") == Path("/var/spoolish/d.wav")
    for name in ("/var/spool/asterisk/monitor/q/a.wav", "/var/spool/x.wav", "/var/spoolish/d"):
        assert paths.local_text(name) == str(paths.local(name))


def test_inside_follows_dot_dot_and_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "spool"
    root.mkdir()
    (root / "a.wav").write_bytes(b"x")
    (tmp_path / "secret").write_bytes(b"x")
    (root / "link.wav").symlink_to(tmp_path / "secret")
    assert inside(root / "a.wav", (root,))
    assert not inside(root / ".." / "secret", (root,))
    assert not inside(root / "link.wav", (root,))
