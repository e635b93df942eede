"""FX rates need a second approver: rows already in the table were effective, so they start APPROVED;
new rows default to PENDING."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0006_desk_fee_income_may_go_negative'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='fxrate',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by'),
        ),
        migrations.AddField(
            model_name='fxrate',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decided at'),
        ),
        migrations.AddField(
            model_name='fxrate',
            name='override_reason',
            field=models.TextField(blank=True, default='', verbose_name='reason for a large move'),
        ),
        migrations.AddField(
            model_name='fxrate',
            name='status',
            field=models.CharField(choices=[('PENDING', 'Pending approval'), ('APPROVED', 'Approved'), ('REJECTED', 'Rejected')], default='APPROVED', max_length=8, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='fxrate',
            name='status',
            field=models.CharField(choices=[('PENDING', 'Pending approval'), ('APPROVED', 'Approved'), ('REJECTED', 'Rejected')], default='PENDING', max_length=8, verbose_name='status'),
        ),
        migrations.AddConstraint(
            model_name='fxrate',
            constraint=models.CheckConstraint(condition=models.Q(('approved_by', models.F('set_by')), _negated=True), name='fx_rate_approver_not_setter'),
        ),
    ]
