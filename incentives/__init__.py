"""calc: a batch rebate and incentive calculator for channel partner programs."""

__version__ = "0.1.0"
