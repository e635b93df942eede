"""The narrow interfaces payments calls (ARCHITECTURE §3), with the defaults used until the
risk and promotions apps register their own by dotted path in settings."""
