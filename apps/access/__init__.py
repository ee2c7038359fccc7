"""The access engine: who may do what to which rows (permissions.md), behind the Guard interface."""
