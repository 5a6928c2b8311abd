"""Who may read the audit log (django-rules; ask with accounts.perms.can)."""

import rules

from kenlabour.accounts.perms import is_platform_admin

rules.add_perm("audit.view_log", is_platform_admin)
