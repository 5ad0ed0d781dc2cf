from agora.foi.models.bodies import BodyCorrection, FoiBody
from agora.foi.models.mail import FoiAttachment, FoiMessage, IncomingMail
from agora.foi.models.requests import (
    FoiBatch,
    FoiEvent,
    FoiReport,
    FoiRequest,
    FoiStage,
    Redaction,
    published,
)

__all__ = [
    "BodyCorrection",
    "FoiAttachment",
    "FoiBatch",
    "FoiBody",
    "FoiEvent",
    "FoiMessage",
    "FoiReport",
    "FoiRequest",
    "FoiStage",
    "IncomingMail",
    "Redaction",
    "published",
]
