"""hwtui: review therapy homework with clients, in the terminal."""

__version__ = "0.1.0"
