"""Custom NLU components loaded by config.yml."""
