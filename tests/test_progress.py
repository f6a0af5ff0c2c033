"""The one `--progress` option of the subcommands the add-on runs."""

from __future__ import annotations

import pytest

from s2c_core.cli import build_parser
from s2c_core.progress import MODES

# the arguments each subcommand requires, before --progress
COMMANDS = {"generate": ["in.mid"], "download": [], "transcribe": ["in.wav", "--out", "o.mid"]}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_progress_subcommand_takes_the_same_modes(command, capsys):
    parser = build_parser()
    for mode in MODES:
        args = parser.parse_args([command, *COMMANDS[command], "--progress", mode])
        assert args.progress == mode
    assert parser.parse_args([command, *COMMANDS[command]]).progress == "text"
    with pytest.raises(SystemExit):
        parser.parse_args([command, *COMMANDS[command], "--progress", "xml"])
    assert "invalid choice: 'xml'" in capsys.readouterr().err
