"""SMS Console's own settings, from the environment (see .env.example): providers, outbound
requests, inbound SMS, campaigns, sending, callbacks, delivery reports, the simulators and SMPP.
smsconsole.settings holds Django's and its libraries', and takes these in."""

from smsconsole.environment import DEBUG, env

# Providers: dotted paths to provider classes. Adding a provider = one module + one line here.
SMSCONSOLE_PROVIDERS = env.list(
    "SMSCONSOLE_PROVIDERS",
    default=[
        "connectors.providers.iletimerkezi.IletiMerkeziProvider",
        "connectors.providers.jetsms.JetSmsProvider",
        "connectors.providers.josms.JoSmsProvider",
        "connectors.providers.smsc.SmscProvider",
        "connectors.providers.infobip.InfobipProvider",
        "connectors.providers.twilio.TwilioProvider",
        "connectors.providers.mobildev.MobildevProvider",
        "connectors.providers.generic.FigenSoftProvider",
        "connectors.providers.generic.GenericHttpProvider",
    ],
)
SMSCONSOLE_SIMULATORS = env.bool("SMSCONSOLE_SIMULATORS", default=DEBUG)
# Outbound HTTP (providers and inbox forwarding, core/outbound.py): plain http and private, loopback or
# link-local addresses only for these hosts; everything else must be https to a public address.
SMSCONSOLE_PROVIDER_HTTP_HOSTS = env.list(
    "SMSCONSOLE_PROVIDER_HTTP_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
SMSCONSOLE_PROVIDER_MAX_ANSWER_BYTES = env.int(
    "SMSCONSOLE_PROVIDER_MAX_ANSWER_BYTES", default=256_000
)
SMSCONSOLE_DEFAULT_REGION = env.str("SMSCONSOLE_DEFAULT_REGION", default="TR")
SMSCONSOLE_PUBLIC_URL = env.str("SMSCONSOLE_PUBLIC_URL", default="")

# Inbound SMS (/SMSReceiver, inbox app).
# A message whose whole text is one of these (case- and accent-insensitive) opts its sender out.
SMSCONSOLE_STOP_WORDS = env.list("SMSCONSOLE_STOP_WORDS", default=["STOP", "İPTAL", "IPTAL", "RET"])
SMSCONSOLE_INBOUND_MAX_BYTES = env.int("SMSCONSOLE_INBOUND_MAX_BYTES", default=64 * 1024)
SMSCONSOLE_INBOUND_MAX_CHARS = env.int("SMSCONSOLE_INBOUND_MAX_CHARS", default=1600)
# The same request again within this many seconds is a provider retry: answered 200, stored once.
SMSCONSOLE_INBOUND_DEDUPE_SECONDS = env.int("SMSCONSOLE_INBOUND_DEDUPE_SECONDS", default=120)
SMSCONSOLE_FORWARD_MAX_ATTEMPTS = env.int("SMSCONSOLE_FORWARD_MAX_ATTEMPTS", default=5)
SMSCONSOLE_FORWARD_TIMEOUT_SECONDS = env.int("SMSCONSOLE_FORWARD_TIMEOUT_SECONDS", default=10)
# Wrong or missing receiver tokens one address may send in a minute before it gets 429 (0: no limit).
SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT = env.int("SMSCONSOLE_RECEIVER_BAD_TOKEN_LIMIT", default=10)

# Campaign CSV uploads: larger ones are refused (413); those over the background size are imported by
# a worker, with progress on the campaign page, instead of holding a web thread.
SMSCONSOLE_CAMPAIGN_MAX_BYTES = env.int("SMSCONSOLE_CAMPAIGN_MAX_BYTES", default=50 * 1024 * 1024)
SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES = env.int(
    "SMSCONSOLE_CAMPAIGN_BACKGROUND_BYTES", default=1024 * 1024
)

# Sending (messaging): the dispatch lease, retries when every connector failed transiently, the
# sweeper, and the connector circuit breaker. The lease must outlast Q_CLUSTER["timeout"].
SMSCONSOLE_DISPATCH_LEASE_SECONDS = env.int("SMSCONSOLE_DISPATCH_LEASE_SECONDS", default=120)
SMSCONSOLE_RETRY_LIMIT = env.int("SMSCONSOLE_RETRY_LIMIT", default=5)
SMSCONSOLE_RETRY_BACKOFF_SECONDS = env.int(
    "SMSCONSOLE_RETRY_BACKOFF_SECONDS", default=30
)  # doubles
SMSCONSOLE_REKICK_SECONDS = env.int("SMSCONSOLE_REKICK_SECONDS", default=120)
# Provider requests one worker process keeps in flight at once (threads); each connector's
# max_in_flight bounds its share. A send task also picks up this many other due messages.
SMSCONSOLE_SEND_CONCURRENCY = env.int("SMSCONSOLE_SEND_CONCURRENCY", default=16)
SMSCONSOLE_SWEEP_BATCH = env.int("SMSCONSOLE_SWEEP_BATCH", default=500)
SMSCONSOLE_BREAKER_FAILURES = env.int("SMSCONSOLE_BREAKER_FAILURES", default=5)
SMSCONSOLE_BREAKER_COOLDOWN_SECONDS = env.int("SMSCONSOLE_BREAKER_COOLDOWN_SECONDS", default=60)
SMSCONSOLE_BREAKER_BALANCE_SECONDS = env.int("SMSCONSOLE_BREAKER_BALANCE_SECONDS", default=600)
# Status callbacks to integrators: attempts per event, the first retry's delay (doubling each time:
# 6 attempts with 120 s span about an hour) and the timeout of each POST.
SMSCONSOLE_CALLBACK_MAX_ATTEMPTS = env.int("SMSCONSOLE_CALLBACK_MAX_ATTEMPTS", default=6)
SMSCONSOLE_CALLBACK_BACKOFF_SECONDS = env.int("SMSCONSOLE_CALLBACK_BACKOFF_SECONDS", default=120)
SMSCONSOLE_CALLBACK_TIMEOUT_SECONDS = env.int("SMSCONSOLE_CALLBACK_TIMEOUT_SECONDS", default=10)

# Delivery reports (issue 13): a sent message still pending this long becomes "unknown" and is no
# longer asked about; pushed receipts larger than the limit are refused (413).
SMSCONSOLE_DELIVERY_WAIT_HOURS = env.int("SMSCONSOLE_DELIVERY_WAIT_HOURS", default=72)
SMSCONSOLE_RECEIPT_MAX_BYTES = env.int("SMSCONSOLE_RECEIPT_MAX_BYTES", default=256 * 1024)
# Report queries (every minute): the pending messages one connector's queries ask about in one run,
# how long a run may go on asking (it holds a worker: the rest wait for the next run), how long it
# asks before it gives way to tasks waiting for a worker (a campaign's chunks), and how long
# before a message is asked about again (those never asked, then those asked longest ago, go first).
SMSCONSOLE_REPORT_POLL_MAX = env.int("SMSCONSOLE_REPORT_POLL_MAX", default=5000)
SMSCONSOLE_REPORT_POLL_SECONDS = env.int("SMSCONSOLE_REPORT_POLL_SECONDS", default=20)
SMSCONSOLE_REPORT_POLL_YIELD_SECONDS = env.int("SMSCONSOLE_REPORT_POLL_YIELD_SECONDS", default=2)
SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS = env.int(
    "SMSCONSOLE_REPORT_POLL_INTERVAL_SECONDS", default=50
)
# The simulators' receipts: the share of messages delivered (the rest undelivered) and how long
# after sending a receipt is pushed or reported final. The Simulators page changes them per provider.
SMSCONSOLE_SIMULATOR_DELIVERED_PERCENT = env.int(
    "SMSCONSOLE_SIMULATOR_DELIVERED_PERCENT", default=90
)
SMSCONSOLE_SIMULATOR_RECEIPT_DELAY_SECONDS = env.int(
    "SMSCONSOLE_SIMULATOR_RECEIPT_DELAY_SECONDS", default=5
)
# How long the simulators take to answer (milliseconds, each answer drawn uniformly within
# ±jitter percent), unless a simulator sets its own on the Simulators page: 150 is a real provider.
SMSCONSOLE_SIMULATOR_LATENCY_MS = env.int("SMSCONSOLE_SIMULATOR_LATENCY_MS", default=0)
SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT = env.int(
    "SMSCONSOLE_SIMULATOR_LATENCY_JITTER_PERCENT", default=20
)
# Whether the simulators push due receipts by themselves (a short-lived thread of the web process).
SMSCONSOLE_SIMULATOR_RECEIPT_PUSH = env.bool("SMSCONSOLE_SIMULATOR_RECEIPT_PUSH", default=True)

# SMPP (issue 8). SMPP is plain TCP: the SMSC connector may only connect to these hosts (SSRF guard,
# like SMSCONSOLE_PROVIDER_HTTP_HOSTS for plain http). The demo's SMPP simulator listens on the port.
SMSCONSOLE_PROVIDER_SMPP_HOSTS = env.list(
    "SMSCONSOLE_PROVIDER_SMPP_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
SMSCONSOLE_SMPP_SIMULATOR_PORT = env.int("SMSCONSOLE_SMPP_SIMULATOR_PORT", default=2775)
