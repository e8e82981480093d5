from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kap_clinic.accounts"
    label = "accounts"
    verbose_name = "Users, roles and clinics"
