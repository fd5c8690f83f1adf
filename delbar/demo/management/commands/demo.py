from django.core.management import call_command
from django.core.management.base import BaseCommand

from delbar.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Migrate the database and load Delbar's demo data (safe to run again)."

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0)
        users = load_demo()
        self.stdout.write("Demo data is loaded. The cases are illustrative, written from public reporting.")
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}; where a second factor is asked for, "
                          "give the recovery code shown, each usable once — run the demo again for new ones):")
        for user in users:
            code = f"  recovery code {user.recovery_code}" if user.recovery_code else ""
            self.stdout.write(f"  {user.username:<8} {user.duty}{code}")
