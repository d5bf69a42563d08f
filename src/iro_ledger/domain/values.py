"""Closed vocabularies of the domain language, as string enums.

Events store the plain string value, so a stored event reads the same in any language.
"""

from enum import StrEnum


class OfficerRole(StrEnum):
    IRO = "iro"
    IRO_MANAGER = "iro_manager"
    TEAM_MANAGER = "team_manager"
    SERVICE_MANAGER = "service_manager"
    HEAD_OF_SERVICE = "head_of_service"
    DIRECTOR = "director"
    SOCIAL_WORKER = "social_worker"


class Employment(StrEnum):
    EMPLOYED = "employed"
    FREELANCE = "freelance"
    AGENCY = "agency"


class EngagementEnd(StrEnum):
    RESIGNED = "resigned"
    CONTRACT_TERMINATED = "contract_terminated"
    POST_DELETED = "post_deleted"
    REDUNDANCY = "redundancy"
    DISMISSED = "dismissed"
    RETIRED = "retired"
    MOVED_ROLE = "moved_role"


class DisciplinaryStage(StrEnum):
    THREATENED = "threatened"
    STARTED = "started"
    CONCLUDED = "concluded"


class AssignmentReason(StrEnum):
    FIRST_ALLOCATION = "first_allocation"
    OFFICER_LEFT = "officer_left"
    WORKLOAD = "workload"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    AFTER_DISPUTE = "after_dispute"
    OTHER = "other"


class PlanChange(StrEnum):
    PLACEMENT_MOVE = "placement_move"
    PERMANENCE = "permanence"
    CONTACT = "contact"
    EDUCATION = "education"
    HEALTH = "health"
    LEAVING_CARE = "leaving_care"
    OTHER = "other"


class ChildParticipation(StrEnum):
    ATTENDED = "attended"
    VIEWS_CONVEYED = "views_conveyed"
    DID_NOT_PARTICIPATE = "did_not_participate"


class ConcernSetting(StrEnum):
    """Where an IRO raised a concern outside the dispute resolution protocol."""

    REVIEW_MINUTES = "review_minutes"
    RECOMMENDATION = "recommendation"
    EMAIL = "email"
    MEETING = "meeting"
    SUPERVISION = "supervision"
    OTHER = "other"


class LegalStep(StrEnum):
    """The route beyond the authority and Cafcass: advice, a pre-action letter, the court."""

    LEGAL_ADVICE = "legal_advice"
    JUDICIAL_REVIEW_LETTER = "judicial_review_letter"
    COURT_APPLICATION = "court_application"
    COURT_ORDER = "court_order"


class LegalStepTaker(StrEnum):
    """Who took a legal step: an IRO has no standing of their own beyond Cafcass, so the
    child, a carer as litigation friend, or a parent often takes it with the IRO's support."""

    IRO = "iro"
    CHILD = "child"
    CARER = "carer"
    PARENT = "parent"
    CAFCASS = "cafcass"
    AUTHORITY = "authority"
    OTHER = "other"


class LinkKind(StrEnum):
    """What a threat or an ending may be recorded as being about (`kind:id`)."""

    CHALLENGE = "challenge"
    CONCERN = "concern"
    REPORT = "report"
    CASE = "case"


class RecommendationOutcome(StrEnum):
    COMPLETED = "completed"
    DECLINED = "declined"
    LAPSED = "lapsed"


class ChallengeStage(StrEnum):
    """Stages of the dispute resolution protocol, lowest first.

    A challenge starts informal; escalation only moves up and may skip stages.
    """

    INFORMAL = "informal"
    STAGE_1 = "stage_1"
    STAGE_2 = "stage_2"
    STAGE_3 = "stage_3"
    DIRECTOR = "director"

    @property
    def rank(self) -> int:
        return list(ChallengeStage).index(self)


class ChallengeOutcome(StrEnum):
    UPHELD = "upheld"
    PARTIALLY_UPHELD = "partially_upheld"
    NOT_UPHELD = "not_upheld"


class InstructionKind(StrEnum):
    PERMISSION_BEFORE_CHALLENGE = "permission_before_challenge"
    PERMISSION_BEFORE_CAFCASS_REFERRAL = "permission_before_cafcass_referral"
    DO_NOT_ESCALATE = "do_not_escalate"
    WITHDRAW_CHALLENGE = "withdraw_challenge"
    EDIT_REPORT = "edit_report"
    REALLOCATE_CASES = "reallocate_cases"
    ADDITIONAL_DUTIES = "additional_duties"
    OTHER = "other"


class ReportRecipient(StrEnum):
    OFSTED = "ofsted"
    CORPORATE_PARENTING_BOARD = "corporate_parenting_board"
    LEAD_MEMBER = "lead_member"


CASE_CLOSURE = "case_closure"
"""The `raise_challenge.about` value for a challenge to the closing of the case itself, which
may be raised after the case is closed (closing a case on false information is something an
IRO must be able to challenge)."""

ALL_IROS = "all_iros"
"""The `issued_to` value meaning every IRO of the authority."""
