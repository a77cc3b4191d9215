from django.db import migrations, models

import kravspar.invoices.models


class Migration(migrations.Migration):
    dependencies = [("invoices", "0005_move_originals_to_storage")]

    operations = [
        migrations.RemoveField(model_name="invoicedocument", name="original"),
        migrations.RenameField(model_name="invoicedocument", old_name="original_file", new_name="original"),
        migrations.AlterField(
            model_name="invoicedocument",
            name="original",
            field=models.FileField(
                editable=False,
                max_length=200,
                upload_to=kravspar.invoices.models.original_path,
                verbose_name="original document",
            ),
        ),
    ]
