"""The product's settings plus the baselines' URLs (benchmark servers only, never deployed)."""

from smsconsole.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
