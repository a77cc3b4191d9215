"""The package's constants and the mappings from Kravspår's values to OCDS code lists
(procurement method, category, tender and contract status, milestone type, sustainability
goals, country names)."""

from __future__ import annotations

import re

from kravspar.contracts.models import ContractStatus
from kravspar.opendata import validation
from kravspar.procurements.models import (
    Aim,
    Method,
    Procedure,
    ProcurementKind,
    ProcurementStatus,
)

OCDS_VERSION = "1.1"
LANGUAGE = "sv"  # the language of titles and descriptions in the package
CURRENCY = "SEK"
SCHEME = "SE-ON"  # org-id.guide: Swedish organisation numbers (Bolagsverket)

# The extensions whose schemas ``validation.py`` applies: the URL the OCDS extension
# registry gives for each (schema/PROVENANCE.md).
EXTENSIONS = (validation.SUSTAINABILITY_EXTENSION,)

# An ocid prefix is "ocds-" and six characters, registered with the Open Contracting
# Partnership. The default is a placeholder that says so; set KRAVSPAR_OCDS_PREFIX.
DEFAULT_PREFIX = "ocds-xxxxxx"
PREFIX_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}$")
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
DEFAULT_PUBLISHER = "Kravspår"

# --- Code list mappings ----------------------------------------------------------------

# LOU procedures -> the closed OCDS method code list (open, selective, limited, direct).
# Procedures where anyone may tender are "open"; where the buyer invites a selection of
# those who applied, "selective"; without prior publication, "limited".
PROCUREMENT_METHOD = {
    Procedure.OPEN: "open",
    Procedure.SIMPLIFIED: "open",  # förenklat förfarande: everyone may tender
    Procedure.RESTRICTED: "selective",
    Procedure.SELECTIVE: "selective",  # urvalsförfarande: the buyer invites among applicants
    Procedure.NEGOTIATED_WITH_NOTICE: "selective",
    Procedure.COMPETITIVE_DIALOGUE: "selective",
    Procedure.INNOVATION_PARTNERSHIP: "selective",
    Procedure.NEGOTIATED_WITHOUT_NOTICE: "limited",
    Procedure.DIRECT_AWARD: "direct",
}

MAIN_CATEGORY = {ProcurementKind.GOODS: "goods", ProcurementKind.SERVICES: "services", ProcurementKind.WORKS: "works"}

TENDER_STATUS = {
    ProcurementStatus.PLANNING: "planning",
    ProcurementStatus.STRATEGY_APPROVED: "planned",
    ProcurementStatus.ADVERTISED: "active",
    ProcurementStatus.EVALUATION: "active",
    ProcurementStatus.AWARDED: "complete",
    ProcurementStatus.CONCLUDED: "complete",
    ProcurementStatus.CANCELLED: "cancelled",
}

# OCDS "terminated": "signed and in force, and has now come to a close ... successful
# completion ... or early termination". Both of Kravspår's ends map to it; statusDetails
# says which.
CONTRACT_STATUS = {
    ContractStatus.ACTIVE: "active",
    ContractStatus.EXPIRED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}

# Follow-up method -> milestone type. "reporting": the supplier's duty to report or hand
# in information (a self-assessment, documents for review, statistics at a supplier
# meeting). "assessment": the buyer checks or audits (audits, spot checks, surveys,
# invoice and certificate checks, lab tests).
MILESTONE_TYPE: dict[str, str] = {
    Method.SELF_ASSESSMENT: "reporting",
    Method.DOCUMENT_REVIEW: "reporting",
    Method.SUPPLIER_MEETING: "reporting",
    Method.DESK_AUDIT: "assessment",
    Method.ON_SITE_AUDIT: "assessment",
    Method.SPOT_CHECK: "assessment",
    Method.SURVEY: "assessment",
    Method.INVOICE_CHECK: "assessment",
    Method.CERTIFICATE_CHECK: "assessment",
    Method.LAB_TEST: "assessment",
}

# The policy's six aims -> the sustainability extension's open goal code list. Where the
# list has no code, a sub-code in its documented form "[existing-code].[sub-code]".
SUSTAINABILITY_GOAL = {
    Aim.ECONOMY: "economic",
    Aim.BUSINESS_CLIMATE: "economic.businessClimate",
    Aim.SUSTAINABILITY: "environmental",
    Aim.WORKING_CONDITIONS: "social.laborRightsPromotion",
    Aim.ANIMAL_WELFARE: "environmental.animalWelfare",
    Aim.LOCAL_BUSINESS: "economic.localEconomyPromotion",
}

COUNTRY_NAMES = {"SE": "Sverige", "NO": "Norge", "DK": "Danmark", "FI": "Finland", "DE": "Tyskland"}
