from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_backfill_covered_period")]

    operations = [
        # A default, so that migrating back past 0006 can add the column again to existing rows.
        migrations.AlterField(
            model_name="invoicedocument",
            name="original",
            field=models.BinaryField(default=b"", editable=False, verbose_name="original document"),
        ),
        migrations.AddField(
            model_name="invoicedocument",
            name="original_file",
            field=models.FileField(blank=True, max_length=200, upload_to="invoices/", verbose_name="original document"),
        ),
    ]
