"""mid.user_usage_d for one CDR day: `mid_user_usage_d.py --date D`."""
import sys

from bass.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "mid.user_usage_d", *sys.argv[1:]]))
