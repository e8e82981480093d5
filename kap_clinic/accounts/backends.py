from django.contrib.auth.backends import ModelBackend


class ClinicAuthBackend(ModelBackend):
    """Email and password, like Django's; a deactivated account never gets in.

    `authenticate` accepts a deactivated account with the right password so the login form can say
    "this account has been deactivated" instead of a misleading "wrong password"; the form then
    refuses it (AuthenticationForm.confirm_login_allowed). `get_user` refuses it on every request,
    so an existing session of a deactivated account ends at once.
    """

    def user_can_authenticate(self, user) -> bool:
        return True

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
