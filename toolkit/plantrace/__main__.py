"""``python -m plantrace``: the same command as ``plantrace`` (for environments whose
scripts folder is not on PATH, e.g. a notebook's kernel)."""

from plantrace.cli import main

if __name__ == "__main__":
    main()
