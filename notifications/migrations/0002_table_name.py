from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("plans", "0003_move_out"),
    ]

    operations = [migrations.AlterModelTable(name="notification", table=None)]
