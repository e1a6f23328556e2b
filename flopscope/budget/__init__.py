"""Budgets: contexts that check and charge counted calls, summaries, namespaces."""

from __future__ import annotations

from flopscope.budget.context import BudgetContext, current_context
from flopscope.budget.namespace import current_namespace, namespace

__all__ = ["BudgetContext", "current_context", "namespace", "current_namespace"]
