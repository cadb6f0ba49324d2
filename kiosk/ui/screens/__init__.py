"""The screens. Each has ``render(view, ui)``: it fills its widgets from the core's view and the UI
context (translator, settings, ``send``), and never keeps patron data after the session ends."""
