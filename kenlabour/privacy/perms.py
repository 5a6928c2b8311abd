"""Who may exercise a person's rights (django-rules; ask with accounts.perms.can)."""

import rules

from kenlabour.accounts.perms import is_self

rules.add_perm("privacy.export", is_self)
rules.add_perm("privacy.erase", is_self)
rules.add_perm("privacy.withdraw_consent", is_self)
