"""A 1,200-recipient campaign through each bulk-capable provider's simulator over real HTTP: as few
requests as the provider's limit allows, and every recipient sent exactly once."""

import math

import pytest
from django.db.models import Count

from connectors.providers import get_provider
from connectors.simulators.models import ReceivedSms
from messaging.campaigns.models import CampaignStatus
from messaging.campaigns.selectors import campaign_progress
from messaging.campaigns.services import campaign_create
from messaging.models import Attempt
from tests.connectors.providers.harness import SETUPS

pytestmark = pytest.mark.django_db(transaction=True)

RECIPIENTS = 1_200  # more than one request for every limit, quick enough on a loaded PostgreSQL
# (provider, connector options for its bulk requests: the generic one needs a list template)
CAMPAIGNS = [
    pytest.param("jetsms", {}, id="Jet SMS"),
    pytest.param("iletimerkezi", {}, id="İleti Merkezi"),
    pytest.param("mobildev", {}, id="Mobildev"),
    pytest.param("infobip", {}, id="Infobip"),
    pytest.param(
        "http",
        {
            "list_template": "{{to_no_plus}}",
            "list_size": 1000,
            "body_template": "to={{recipients}}&text={{text}}&from={{sender}}"
            "&user={{username}}&pass={{password}}",
            "content_type": "form",
            "auth": "fields",
            "success_pattern": "^OK",
            "id_pattern": r"^OK (\d+)",
            "id_json_path": "",
        },
        id="Generic HTTP",
    ),
]


@pytest.mark.parametrize(("slug", "options"), CAMPAIGNS)
def test_a_campaign_goes_out_in_as_few_requests_as_the_limit_allows(slug, options, live_server):
    setup = SETUPS[slug]
    account = setup.account()
    account.balance = RECIPIENTS * 2
    account.save()
    # A simulator takes a request of 1,000 numbers one row at a time: seconds on a busy machine.
    connector = setup.connector(live_server.url, options={"timeout_seconds": 30, **options})
    limit = (connector.options or {}).get("list_size") or get_provider(
        slug
    ).max_recipients_per_request
    pasted = "\n".join(f"+9053{n:08d}" for n in range(RECIPIENTS))

    campaign = campaign_create(
        name="Bulk", text="Kampanya başladı", kind="transactional", pasted=pasted, start=True
    )

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMPLETED
    progress = campaign_progress(campaign=campaign)
    assert (progress.sent, progress.failed) == (RECIPIENTS, 0)
    # One provider request per list: its messages' attempts share the moment it started.
    requests = Attempt.objects.values("started_at").distinct().count()
    assert requests == math.ceil(RECIPIENTS / limit)
    assert Attempt.objects.count() == RECIPIENTS
    # Every number reached the simulator once.
    assert ReceivedSms.objects.count() == RECIPIENTS
    assert not ReceivedSms.objects.values("number").annotate(n=Count("id")).filter(n__gt=1)
