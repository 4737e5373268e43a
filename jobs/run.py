"""spark-submit entry point: `run.py <daily|monthly|job> --date D | --month M | --from A --to B [--force]`.

Thin by design: parses arguments and hands over to bass.cli, the same code `bass run` uses.
"""
import sys

from bass.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
