"""The explainers of every model version the decisions name, loaded from the models directory on
demand."""

from __future__ import annotations

from pathlib import Path

from credit.bundle import BundleError, check_input_policy, load_bundle, open_bundle
from credit.explain.dictionary import DictionaryError
from credit.explain.explanation import Explainer


class UnknownModel(LookupError):
    """A decision names a model version this service cannot explain with; the text says why."""


class Explainers:
    """Model version -> Explainer. A version is only ever explained by its own bundle."""

    def __init__(self, models_dir: Path):
        self.models_dir = Path(models_dir)
        self._loaded: dict[str, Explainer] = {}

    def load_latest(self) -> Explainer:
        """Load the newest bundle now (BundleError, DictionaryError): a worker with nothing valid
        must not start.

        A bundle whose inputs break the input policy is refused (credit.bundle.check_input_policy).
        """
        bundle = check_input_policy(open_bundle(self.models_dir))
        self._loaded[bundle.model_version] = Explainer(bundle)
        return self._loaded[bundle.model_version]

    def get(self, model_version: str) -> Explainer:
        if model_version not in self._loaded:
            path = self.models_dir / model_version
            if "/" in model_version or model_version.startswith(".") or not path.is_dir():
                raise UnknownModel(
                    f"model version {model_version!r} is not in {self.models_dir} "
                    f"(known: {', '.join(self.known()) or 'none'})"
                )
            try:
                self._loaded[model_version] = Explainer(check_input_policy(load_bundle(path)))
            except (BundleError, DictionaryError) as error:
                raise UnknownModel(
                    f"model version {model_version!r} cannot be used: {error}"
                ) from None
        return self._loaded[model_version]

    def known(self) -> list[str]:
        return sorted(p.parent.name for p in self.models_dir.glob("*/bundle.json"))
