"""gunicorn settings read from the project directory (Procfile, benchmarks, any deployment here).

The access log names the path but never the query string: providers put the receiver token in
the /SMSReceiver query string (jtel protocol), and secrets must not reach a log.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'

# İleti Merkezi's GET API carries a bulk request's numbers in the query string (500 numbers ≈ 7 KB):
# the simulators behind this server must read such a line (gunicorn's default stops at 4,094 bytes).
limit_request_line = 8190
