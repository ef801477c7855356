"""The customer organisation's own administration: its users' roles and flags (ACC-4), its
profile and news addresses (ACC-6)."""
