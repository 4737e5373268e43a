"""Load one BOSS interface delivery into ODS: `ods_load.py <interface> --date D | --month M`."""
import sys

from bass.cli import main

if __name__ == "__main__":
    interface, rest = sys.argv[1], sys.argv[2:]
    sys.exit(main(["run", f"ods.{interface}", *rest]))
