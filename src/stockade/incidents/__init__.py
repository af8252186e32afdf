"""The incident lifecycle: a pure fold of the correlator's incident versions and analysts' changes."""
