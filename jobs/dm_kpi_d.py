"""dm.kpi_d for one CDR day: `dm_kpi_d.py --date D`."""
import sys

from bass.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "dm.kpi_d", *sys.argv[1:]]))
