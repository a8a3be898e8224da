from django.contrib.auth.backends import ModelBackend

from gonghui.accounts.models import User


class PhonePasswordBackend(ModelBackend):
    """Password login by mobile number: the number is looked up through its keyed hash."""

    def authenticate(self, request, username=None, password=None, phone=None, **kwargs):
        phone = phone or username
        if not phone or password is None:
            return None
        try:
            user = User.objects.get_by_phone(phone)
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
