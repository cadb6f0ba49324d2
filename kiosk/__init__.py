"""The self-service kiosk application: session core, services, store, UI and technician CLI."""

__version__ = "0.1.0"
