"""The page's parts, named by what a user sees; app.py calls them in order (house style: app.py wires)."""
