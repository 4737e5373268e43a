"""spark-submit entry point: `run.py <daily|monthly|job> --date D | --month M | --from A --to B [--force]`,
or `run.py ml train [--models churn,value]` to train models on the cluster.

Thin by design: parses arguments and hands over to bass.cli, the same code `bass run` and
`bass ml` use.
"""
import sys

from bass.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args if args[:1] == ["ml"] else ["run", *args]))
