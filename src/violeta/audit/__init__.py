"""The audit trail: who read or changed whose data, when, from where and why."""
