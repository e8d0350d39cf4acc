"""The console's API routes, one module per resource; each module's `blueprint()` builds its routes."""
