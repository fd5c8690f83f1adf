from django.db import migrations, models

from delbar.orgs.reference import load_maalforms


def load(apps, schema_editor):
    load_maalforms(Organization=apps.get_model("orgs", "Organization"))


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0003_trust'),
    ]

    operations = [
        migrations.AddField(
            model_name='organization',
            name='maalform',
            field=models.CharField(blank=True, choices=[('bokmal', 'Bokmål'), ('nynorsk', 'Nynorsk'), ('neutral', 'Neutral')], max_length=10, verbose_name='written language (målform)'),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
