"""The Kivy touch UI: thin screens that render the core's view state.

Importing this package does not import Kivy (the theme and the accessibility checks are plain data);
:mod:`kiosk.ui.app` does.
"""
