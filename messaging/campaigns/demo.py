"""Demo data: two templates and a small finished-looking draft campaign (idempotent)."""

from messaging.campaigns.models import Campaign
from messaging.campaigns.selectors import template_get
from messaging.campaigns.services import campaign_create, template_create

TEMPLATES = [
    {
        "key": "order-shipped",
        "name": "Order shipped",
        "kind": "transactional",
        "text": "Merhaba {{first_name}}, {{order_id}} numaralı siparişiniz kargoya verildi.",
    },
    {
        "key": "spring-sale",
        "name": "Spring sale",
        "kind": "commercial",
        "text": "{{first_name}}, bahar indirimi başladı: tüm ürünlerde %20! İptal için RET yazıp gönderin.",
    },
]


def seed(command) -> None:
    """Create the demo templates and a draft campaign unless they exist."""
    for fields in TEMPLATES:
        if template_get(key=fields["key"]) is None:
            template_create(**fields)
            command.stdout.write(f"Demo template '{fields['key']}' created.")
    if not Campaign.objects.filter(name="Demo: spring sale").exists():
        recipients = [
            {"msisdn": f"+90532123456{n}", "params": {"first_name": name}}
            for n, name in enumerate(["Ayşe", "Mehmet", "Zeynep", "Ali", "Elif"])
        ]
        campaign_create(name="Demo: spring sale", template="spring-sale", recipients=recipients)
        command.stdout.write(
            "Demo draft campaign 'Demo: spring sale' created (send it from Campaigns)."
        )
