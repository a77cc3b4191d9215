"""Every change to contracts, their extensions and subcontractors. Views, the API, the
admin and the demo call these functions; none of them saves a contract itself.

A contract carries a snapshot of its procurement's requirements and of the approved
follow-up strategy, taken when it is registered: "changing the procurement later does
not rewrite a signed contract" (issue 4).

The package, along its own sections: ``checks`` (validation and shared pieces),
``registration``, ``strategy`` (adopting and linking later), ``changes`` (fields,
extensions, status) and ``subcontractors``. Every name stays importable from here.
"""

# Imported by name from this module before it was a package (a test reaches the model here).
from kravspar.contracts.models import ContractRequirement
from kravspar.contracts.services.changes import _lock, contract_set_status, contract_update, contract_use_extension
from kravspar.contracts.services.checks import (
    CONTRACT_FIELDS,
    CONTRACTABLE,
    ENTRY_COPY,
    REQUIREMENT_COPY,
    SUBCONTRACTOR_FIELDS,
    TRANSITIONS,
    ContractError,
    _check_diary_number,
    _clean_contract,
    _clean_parties,
    _organisation,
    _parties,
    _require,
    _save,
)
from kravspar.contracts.services.registration import (
    _approved_strategy,
    _copy_requirements,
    _create,
    _plan,
    _record_registration,
    _strategy_snapshot,
    contract_create_from_procurement,
    contract_register_direct,
)
from kravspar.contracts.services.strategy import (
    adopt_strategy_for_procurement,
    approved_strategy_to_adopt,
    contract_adopt_strategy,
    contract_link_procurement,
)
from kravspar.contracts.services.subcontractors import (
    _clean_subcontractor,
    clean_subcontractor_fields,
    subcontractor_add,
    subcontractor_deactivate,
    subcontractor_set_active,
    subcontractor_update,
)

__all__ = [
    "CONTRACTABLE",
    "CONTRACT_FIELDS",
    "ENTRY_COPY",
    "REQUIREMENT_COPY",
    "SUBCONTRACTOR_FIELDS",
    "TRANSITIONS",
    "ContractError",
    "ContractRequirement",
    "_approved_strategy",
    "_check_diary_number",
    "_clean_contract",
    "_clean_parties",
    "_clean_subcontractor",
    "_copy_requirements",
    "_create",
    "_lock",
    "_organisation",
    "_parties",
    "_plan",
    "_record_registration",
    "_require",
    "_save",
    "_strategy_snapshot",
    "adopt_strategy_for_procurement",
    "approved_strategy_to_adopt",
    "clean_subcontractor_fields",
    "contract_adopt_strategy",
    "contract_create_from_procurement",
    "contract_link_procurement",
    "contract_register_direct",
    "contract_set_status",
    "contract_update",
    "contract_use_extension",
    "subcontractor_add",
    "subcontractor_deactivate",
    "subcontractor_set_active",
    "subcontractor_update",
]
