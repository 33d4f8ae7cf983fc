"""The one place Harbour reads its environment."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent  # src/harbour
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout

env = environ.Env()
