from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ("assignments", "0004_fill_issuers"),
        ("orgtree", "0002_established_on_type_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assignment",
            name="issuer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="issued_assignments",
                to="orgtree.organisation", verbose_name="交办单位",
            ),
        ),
    ]
