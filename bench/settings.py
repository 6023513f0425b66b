"""The product's settings plus the benchmark baselines' URLs (bench servers only, never deployed)."""

from smsconsole.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
