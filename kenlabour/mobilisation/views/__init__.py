"""Views of the mobilisation, one module per room (see urls.py)."""
