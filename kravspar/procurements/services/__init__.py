"""Every change to procurements, their aims, goals and follow-up strategies.

One function per transition of the lifecycle; each checks its preconditions. The gate
(``policy.strategy_gate_missing``) is enforced here, so the UI, the API, the admin and
any import meet the same refusal with the same list of what is missing.

One module per concern: ``procurement`` (create, change), ``assessments`` (aims and
goals), ``strategy``, ``lifecycle``, ``verification`` (at evaluation), ``goals`` (the
regions' environmental goals) and ``categories`` (the category tables). Every name stays
importable from here."""

from kravspar.procurements.services.assessments import (
    aim_assess,
    assessments_record,
    goal_assess,
)
from kravspar.procurements.services.categories import (
    CATEGORY_RULE_FIELDS,
    category_rule_create,
    category_rule_update,
)
from kravspar.procurements.services.common import (
    _lock,
    _org,
    _require,
    _touch,
)
from kravspar.procurements.services.errors import (
    StrategyIncompleteError,
    TransitionError,
    VerificationsOpenError,
)
from kravspar.procurements.services.goals import (
    GOAL_FIELDS,
    goal_create,
    goal_update,
)
from kravspar.procurements.services.lifecycle import (
    GATED,
    TRANSITIONS,
    allowed_transitions,
    procurement_transition,
)
from kravspar.procurements.services.procurement import (
    PROCUREMENT_FIELDS,
    procurement_create,
    procurement_update,
)
from kravspar.procurements.services.strategy import (
    _draft,
    access_org_ids,
    default_responsible_unit,
    models_q_serves_or_own,
    proposal_text,
    strategy_approve,
    strategy_entry_set,
    strategy_return,
    strategy_submit,
    strategy_update,
    strategy_withdraw,
)
from kravspar.procurements.services.verification import (
    VERIFICATION_FIELDS,
    requirements_verified_at_evaluation,
    verification_record,
    verifications_open,
)

# _draft, _lock, _org and _touch serve the requirements services too.
__all__ = [
    "CATEGORY_RULE_FIELDS",
    "GATED",
    "GOAL_FIELDS",
    "PROCUREMENT_FIELDS",
    "TRANSITIONS",
    "VERIFICATION_FIELDS",
    "StrategyIncompleteError",
    "TransitionError",
    "VerificationsOpenError",
    "_draft",
    "_lock",
    "_org",
    "_require",
    "_touch",
    "access_org_ids",
    "aim_assess",
    "allowed_transitions",
    "assessments_record",
    "category_rule_create",
    "category_rule_update",
    "default_responsible_unit",
    "goal_assess",
    "goal_create",
    "goal_update",
    "models_q_serves_or_own",
    "procurement_create",
    "procurement_transition",
    "procurement_update",
    "proposal_text",
    "requirements_verified_at_evaluation",
    "strategy_approve",
    "strategy_entry_set",
    "strategy_return",
    "strategy_submit",
    "strategy_update",
    "strategy_withdraw",
    "verification_record",
    "verifications_open",
]
