"""`s2c download [REPO_ID]`: fetch the official S2C experiment and the HuBERT it names from
the Hugging Face Hub, verify them and convert them once to our format in the cache.

Prints the converted folder (or, with `--progress jsonl`, ends with a "done" event whose
`output` is that folder); `s2c generate --checkpoint REPO_ID` then loads it offline.
"""

from __future__ import annotations

import argparse

from ..hub import DEFAULT_REPO, RepoRef, fetch_experiment
from ..progress import ProgressReporter, add_progress_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "download",
        help="download and convert the official S2C model from the Hugging Face Hub",
        description="Fetch an official S2C experiment (args.txt, args_posi.txt, one "
        "piano2pose checkpoint per hand) and the HuBERT config it names into the Hugging Face "
        "cache (HF_HOME), check sizes and sha256, and convert it once to the S2C Hands format "
        "($HF_HOME/s2c-hands/). Already converted: nothing is downloaded.",
    )
    parser.add_argument(
        "repo",
        nargs="?",
        default=DEFAULT_REPO,
        metavar="REPO_ID",
        help=f"Hub repository, optionally @REVISION (default: {DEFAULT_REPO})",
    )
    parser.add_argument(
        "--hubert",
        metavar="REPO_OR_DIR",
        help="HuBERT to take the architecture from, instead of the one args_posi.txt names",
    )
    add_progress_option(parser)
    parser.set_defaults(handler=run_download)


def run_download(args: argparse.Namespace) -> int:
    reporter = ProgressReporter(args.progress)
    if args.progress == "jsonl":  # huggingface_hub's own bars would only clutter stderr
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    ref = RepoRef.parse(args.repo)
    folder = fetch_experiment(ref, args.hubert, reporter.progress, reporter.stage)
    if args.progress == "text":
        print(folder)
    reporter.done(output=str(folder), repo=str(ref))
    return 0
