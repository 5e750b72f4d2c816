"""qdaapp: qualitative data analysis built around narrative coding."""

__version__ = "0.1.0"
