"""Configuration: conf/base.yml overlaid by conf/<env>.yml, paths overridable by env vars.

Nothing is discovered by magic: the environment comes from --env or BASS_ENV (default
`local`), the conf folder from BASS_CONF_DIR or the repository's conf/.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

# conf/, sql/ and .jars/ live in the repository; BASS_REPO names it when the package runs
# from elsewhere (spark-submit ships it as a zip).
REPO_ROOT = Path(os.environ.get("BASS_REPO", Path(__file__).resolve().parents[3]))
PATH_KEYS = ("home", "landing", "warehouse", "outbox", "archive", "mlflow", "reports", "truth", "accounts", "audit")


def conf_dir() -> Path:
    return Path(os.environ.get("BASS_CONF_DIR", REPO_ROOT / "conf"))


def deep_merge(base: dict, overlay: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (overlay or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@dataclass(frozen=True)
class Config:
    env: str
    raw: dict
    paths: dict

    @property
    def province(self) -> str:
        return str(self.raw["province"])

    def path(self, name: str) -> str:
        return self.paths[name]

    def with_overrides(self, overrides: dict) -> Config:
        """A new Config with `{"dotted.key": value}` set; this one is left as it was."""
        raw = copy.deepcopy(self.raw)
        for dotted, value in overrides.items():
            node = raw
            *parents, last = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        return Config(env=self.env, raw=raw, paths=self.paths)

    def get(self, dotted: str, default=None):
        node = self.raw
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


def _resolve_paths(raw_paths: dict) -> dict:
    home = os.environ.get("BASS_HOME", raw_paths["home"])
    paths = {"home": home}
    for key in PATH_KEYS[1:]:
        default = str(raw_paths[key]).format(home=home)
        paths[key] = os.environ.get(f"BASS_{key.upper()}", default)
    # Local relative paths are made absolute so every process agrees on them.
    return {k: (v if "://" in v else str(Path(v).resolve())) for k, v in paths.items()}


def load_config(env: str | None = None) -> Config:
    env = env or os.environ.get("BASS_ENV", "local")
    base = read_yaml(conf_dir() / "base.yml")
    overlay_path = conf_dir() / f"{env}.yml"
    if not overlay_path.exists():
        raise SystemExit(f"unknown environment {env!r}: {overlay_path} does not exist")
    raw = deep_merge(base, read_yaml(overlay_path))
    return Config(env=env, raw=raw, paths=_resolve_paths(raw["paths"]))
