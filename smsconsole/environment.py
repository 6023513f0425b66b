"""The environment both settings modules read: the process's, then `.env` beside the project."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development unless DJANGO_DEBUG says otherwise; off, the public development defaults are refused.
DEBUG = env.bool("DJANGO_DEBUG", default=True)
