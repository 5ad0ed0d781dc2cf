from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestStatus(models.TextChoices):
    AWAITING_RESPONSE = "awaiting_response", _("Awaiting response")
    CLARIFICATION_REQUESTED = "clarification_requested", _("Clarification requested")
    FEE_REQUESTED = "fee_requested", _("Fee requested")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INTERNAL_REVIEW = "internal_review", _("Internal review")
    WITH_OVERSIGHT = "with_oversight", _("With the oversight body")
    IN_COURT = "in_court", _("In court")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", pgettext_lazy("request outcome", "Successful")
    PARTIALLY_SUCCESSFUL = "partially_successful", _("Partially successful")
    NOT_HELD = "not_held", _("Information not held")
    REFUSED = "refused", pgettext_lazy("request outcome", "Refused")


class OversightDecision(models.TextChoices):
    UPHELD = "upheld", _("Complaint upheld: the information should be released")
    PARTLY_UPHELD = "partly_upheld", _("Complaint partly upheld")
    NOT_UPHELD = "not_upheld", _("Complaint not upheld")
    WITHDRAWN = "withdrawn", _("Complaint withdrawn or settled")


class Followed(models.TextChoices):
    FOLLOWED = "followed", _("The body followed the decision")
    PARTLY = "partly", _("The body partly followed the decision")
    NOT_FOLLOWED = "not_followed", _("The body did not follow the decision")


class StageStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", pgettext_lazy("message direction", "Sent")
    INCOMING = "incoming", pgettext_lazy("message direction", "Received")


class MessageKind(models.TextChoices):
    REQUEST = "request", _("Request")
    FOLLOWUP = "followup", _("Follow-up")
    CLARIFICATION = "clarification", _("Clarification")
    REPLY = "reply", pgettext_lazy("kind of message", "Reply")
    REVIEW = "review", _("Request for a review")
    REFERRAL = "referral", _("Referral to the oversight body")
    REMINDER = "reminder", _("Reminder")
    BOUNCE = "bounce", _("Delivery failure")
    AUTO_REPLY = "auto_reply", _("Automatic reply")


class Delivery(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", pgettext_lazy("mail delivery", "Sent")
    FAILED = "failed", pgettext_lazy("mail delivery", "Failed")
    BOUNCED = "bounced", _("Bounced")
    RECEIVED = "received", pgettext_lazy("mail delivery", "Received")


class MailStatus(models.TextChoices):
    ROUTED = "routed", _("Delivered to its request")
    HELD = "held", _("Held for moderation")
    RELEASED = "released", _("Released by a moderator")
    REJECTED = "rejected", _("Rejected by a moderator")


class HoldReason(models.TextChoices):
    UNMATCHED = "unmatched", _("No request has this address")
    SPAM = "spam", _("Looks like spam")
    LOOP = "loop", _("Mail loop")
    MALFORMED = "malformed", _("Malformed message")
    UNKNOWN_SENDER = "unknown_sender", _("Sender is not the body")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class CorrectionField(models.TextChoices):
    REQUEST_EMAIL = "request_email", _("Request email")
    POSTAL_ADDRESS = "postal_address", _("Postal address")
    WEBSITE = "website", _("Website")
    NAME = "name", _("Name")
    CATEGORY = "category", _("Category")
    OTHER = "other", _("Something else")


class EventKind(models.TextChoices):
    SENT = "sent", _("Request sent")
    MESSAGE_RECEIVED = "message_received", _("Reply received")
    MESSAGE_SENT = "message_sent", _("Message sent")
    CLASSIFIED = "classified", _("Classified")
    CLARIFICATION_REQUESTED = "clarification_requested", _("Clarification requested")
    CLARIFICATION_SENT = "clarification_sent", _("Clarification sent")
    FEE_REQUESTED = "fee_requested", _("Fee requested")
    FEE_PAID = "fee_paid", _("Fee paid")
    EXTENDED = "extended", _("Deadline extended")
    OVERDUE = "overdue", _("Overdue")
    VERY_OVERDUE = "very_overdue", _("Long overdue")
    DEEMED_REFUSAL = "deemed_refusal", _("Silence: deemed refusal")
    STAGE_OPENED = "stage_opened", _("Next step taken")
    STAGE_DECIDED = "stage_decided", _("Decision")
    DECISION_FOLLOWED = "decision_followed", _("Decision followed up")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")
    REMINDER = "reminder", _("Reminder sent")
    BOUNCED = "bounced", _("Delivery failed")
    PUBLISHED = "published", _("Published")
    REPORTED = "reported", _("Reported")
    HIDDEN = "hidden", _("Hidden by a moderator")


# What a reply can say, as the requester or an official classifies it.
CLASSIFICATION_LABELS = {
    "successful": _("The information was given"),
    "partially_successful": _("Some of the information was given"),
    "not_held": _("The body does not hold the information"),
    "refused": _("The request was refused"),
    "clarification_requested": _("The body asks for a clarification"),
    "fee_requested": _("The body asks for a fee"),
    "deadline_extended": _("The body extended the deadline"),
    "acknowledgement": _("Only an acknowledgement: still waiting"),
}
