"""Map what was read from an MLflow store to ``cardpress/run/1`` records (pure functions).

:mod:`.map` makes the record of one registered version, :mod:`.model` reads a logged model's
``MLmodel`` and environment files, :mod:`.predictions` maps the evaluation predictions.
"""
