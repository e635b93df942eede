"""Models of this app (see ARCHITECTURE.md §3 for its boundary)."""

from .models_messages import *  # noqa
