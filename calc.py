"""`python calc.py ...` from the repository root: the same CLI that pyproject installs as `calc`."""

from incentives.cli import main

if __name__ == "__main__":
    main()
