"""Email patients whose follow-up questionnaires have fallen due. Run it every hour (cron, a systemd timer or
the platform's scheduler); each reminder is sent once however often it runs, and several runs at once are
safe. A failed email is retried by the next run."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from integration.services.measures import measure_reminders_send


class Command(BaseCommand):
    help = "Bring follow-up measure schedules up to date and email a reminder for each questionnaire now due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-refresh",
            action="store_true",
            help="Skip bringing every active course's schedule up to date first.",
        )

    def handle(self, *args, **options):
        run = measure_reminders_send(refresh=not options["no_refresh"])
        summary = ngettext("%(sent)d reminder sent", "%(sent)d reminders sent", run.sent) % {"sent": run.sent}
        self.stdout.write(f"{summary}, {run.failed} failed")
        for error in run.errors:
            self.stderr.write(error)
        if run.failed:  # a non-zero exit, for the scheduler to report; the next run retries them
            raise CommandError(f"{run.failed} failed; they will be retried on the next run")
