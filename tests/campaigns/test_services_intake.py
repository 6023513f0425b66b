import pytest
from django.core.exceptions import ValidationError

from messaging.campaigns.models import Campaign, CampaignStatus, RejectionReason
from messaging.campaigns.services import campaign_create, template_create
from messaging.services import optout_create
from tests.campaigns.conftest import csv_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def greeting(idle_connector):
    return template_create(
        key="greeting",
        name="Greeting",
        text="Merhaba {{first_name}}, kodunuz {{code}}.",
        kind="commercial",
    )


def test_csv_campaign_reports_bad_rows_duplicates_and_opt_outs_by_line(greeting):
    optout_create(number="+905321234570")
    upload = csv_upload(
        "\ufeffphone;first_name;code\n"
        "+905321234567;Ayşe;111\n"  # 2 ok
        '0532 123 45 68;"Ali; Veli";222\n'  # 3 ok, quoted separator
        "12345;Can;333\n"  # 4 bad number
        "05321234567;Ayşe again;444\n"  # 5 duplicate of line 2
        "+905321234569;Ece;\n"  # 6 missing code
        "+905321234570;Opted;555\n"  # 7 opted out
    )
    campaign = campaign_create(name="Spring", template="greeting", csv_file=upload)
    assert campaign.status == CampaignStatus.DRAFT
    assert (
        campaign.recipient_count,
        campaign.invalid_count,
        campaign.duplicate_count,
        campaign.opted_out_count,
    ) == (2, 2, 1, 1)
    assert sorted(campaign.recipients.values_list("line", "to")) == [
        (2, "+905321234567"),
        (3, "+905321234568"),
    ]
    rejected = {(r.line, r.reason) for r in campaign.rejected_rows.all()}
    assert rejected == {
        (4, RejectionReason.INVALID),
        (5, RejectionReason.DUPLICATE),
        (6, RejectionReason.INVALID),
        (7, RejectionReason.OPTED_OUT),
    }
    assert "line 2" in campaign.rejected_rows.get(line=5).detail
    assert "{{code}}" in campaign.rejected_rows.get(line=6).detail


def test_csv_row_whose_values_make_the_text_unsendable_is_left_out_with_the_reason(greeting):
    upload = csv_upload(
        "phone,first_name,code\n+905321234567,Ayşe,111\n+905321234568,Ali\x00,222\n"
    )

    campaign = campaign_create(name="NUL", template="greeting", csv_file=upload)

    assert (campaign.recipient_count, campaign.invalid_count) == (1, 1)
    assert "NUL character" in campaign.rejected_rows.get(line=3).detail


def test_transactional_campaign_keeps_opted_out_numbers(idle_connector):
    optout_create(number="+905321234570")
    campaign = campaign_create(
        name="Codes", text="Your code is ready.", kind="transactional", pasted="+905321234570"
    )
    assert (campaign.recipient_count, campaign.opted_out_count) == (1, 0)


def test_segments_shown_before_sending(idle_connector):
    long_text = "x" * 200  # two GSM-7 segments
    campaign = campaign_create(
        name="Long", text=long_text, pasted="+905321234567\n+905321234568\n+905321234569"
    )
    assert (
        campaign.recipient_count,
        campaign.min_segments,
        campaign.max_segments,
        campaign.total_segments,
    ) == (3, 2, 2, 6)


def test_segments_vary_with_placeholder_values(idle_connector):
    upload = csv_upload("phone,name\n+905321234567,Al\n+905321234568," + "y" * 160 + "\n")
    campaign = campaign_create(name="Mixed", text="Hi {{name}}", csv_file=upload)
    assert (campaign.min_segments, campaign.max_segments, campaign.total_segments) == (1, 2, 3)


def test_campaign_with_no_usable_recipient_stores_nothing(idle_connector):
    with pytest.raises(ValidationError) as error:
        campaign_create(name="Empty", text="Hi", pasted="123\nabc")
    assert "None of the 2 rows" in str(error.value.message_dict["recipients"])
    assert "line 1" in str(error.value.message_dict["recipients"])
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "", "text": "Hi", "pasted": "+905321234567"}, "name", "Give the campaign a name"),
        ({"name": "x", "pasted": "+905321234567"}, "text", "Enter the message text"),
        (
            {"name": "x", "text": "Hi", "template": "greeting", "pasted": "+905321234567"},
            "text",
            "not both",
        ),
        (
            {"name": "x", "template": "nope", "pasted": "+905321234567"},
            "template",
            "No template has the key 'nope'",
        ),
        ({"name": "x", "text": "Hi"}, "recipients", "upload a CSV file or paste numbers"),
        (
            {"name": "x", "template": "greeting", "pasted": "+905321234567"},
            "pasted",
            "pasted numbers carry no values",
        ),
        (
            {"name": "x", "text": "Hi", "sender": "NOPE", "pasted": "+905321234567"},
            "sender",
            "not approved",
        ),
        (
            {"name": "x", "text": "Hi {{first name}}", "pasted": "+905321234567"},
            "text",
            "cannot be filled",
        ),
    ],
    ids=[
        "no-name",
        "no-text",
        "template-and-text",
        "unknown-template",
        "no-recipients",
        "paste-with-placeholders",
        "unapproved-sender",
        "malformed-placeholder",
    ],
)
def test_campaign_create_refuses_bad_input(greeting, fields, field, message):
    with pytest.raises(ValidationError) as error:
        campaign_create(**fields)
    assert message in str(error.value.message_dict[field])


def test_ten_thousand_row_csv_is_imported_deduplicated(idle_connector):
    lines = ["phone,first_name"] + [f"+9053212{n % 9000:05d},N{n}" for n in range(10_000)]
    campaign = campaign_create(
        name="Big", text="Hi {{first_name}}", csv_file=csv_upload("\n".join(lines))
    )
    assert campaign.recipient_count == 9000
    assert campaign.duplicate_count == 1000
    assert campaign.recipients.count() == 9000
    assert campaign.rejected_rows.filter(reason=RejectionReason.DUPLICATE).count() == 1000
