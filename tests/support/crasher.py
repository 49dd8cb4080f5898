"""A worker that exits at once on every start (exit code 3): drives the flapping tests."""
import sys

if __name__ == "__main__":
    sys.exit(3)
