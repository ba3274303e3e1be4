"""Reading an MLflow tracking store: registered versions, runs, logged models and artifacts.

:mod:`.connect` opens a store (checked first), :mod:`.store` reads it through ``MlflowClient``
into plain dataclasses, :mod:`.sources` describes dataset sources, :mod:`.files` and
:mod:`.models` fetch artifacts (predictions, environment files, a logged model's ``MLmodel``)
and :mod:`.evaluation` finds evaluation predictions. ``mlflow`` itself is imported only when an
import is asked for.
"""
