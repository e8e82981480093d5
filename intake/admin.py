# Patient charts are deliberately not in Django's admin site: every read of patient data goes through
# the access policy and leaves an audit event (intake/access.py), which the admin site would bypass.
