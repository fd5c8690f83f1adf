from django.db import migrations

from delbar.orgs.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(**{name: apps.get_model("orgs", name)
                           for name in ("County", "Organization", "CpvCode", "NutsRegion", "Sector")})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
