"""Readers: DVC pipelines (dvc.yaml, dvc.lock) and tracked files (*.dvc)."""
