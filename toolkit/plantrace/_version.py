"""The package version (its own module, so submodules never import the package root)."""

__version__ = "0.1.0"
