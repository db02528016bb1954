"""The shared kernel: locks, periods, spreadsheets, staged uploads and small helpers every app uses.

It imports Django and libraries only, never an app of the project.
"""
